from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from enrollment_tracks.membership.maintenance import maintenance_loop, maintenance_run


class Command(BaseCommand):
    help = (
        "Run a background worker: django-tasks-db's db_worker, plus maintenance that takes "
        "over jobs a dead worker left behind (at start and every MEMBERSHIP_STALE_SECONDS/2)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Queue poll interval (s).")
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--worker-id", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        report = maintenance_run()
        self.stdout.write(
            f"Worker maintenance: {report.jobs_requeued} job(s) re-queued, "
            f"{report.messages_parked} interrupted email(s) parked."
        )
        stop = threading.Event()
        interval = max(settings.MEMBERSHIP_STALE_SECONDS / 2, 1.0)
        thread = threading.Thread(
            target=maintenance_loop, args=(stop, interval), name="worker-maintenance", daemon=True
        )
        thread.start()
        worker_options: dict[str, Any] = {
            "interval": options["interval"],
            "queue_name": options["queue_name"],
            "reload": False,
            "startup_delay": False,
        }
        if options["worker_id"]:
            worker_options["worker_id"] = options["worker_id"]
        try:
            call_command("db_worker", **worker_options)
        finally:
            stop.set()
