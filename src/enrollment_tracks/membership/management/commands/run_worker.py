from __future__ import annotations

import os
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.compat import task_started
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from enrollment_tracks.membership.maintenance import (
    maintenance_interval,
    maintenance_loop,
    maintenance_run,
)
from enrollment_tracks.membership.runner import runs_stop

_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)
)


def _stop_jobs_first(**kwargs: Any) -> None:
    """Chain onto db_worker's signal handlers (installed by now, a task is starting): a stop
    signal also asks a running membership job to hand itself back after its current chunk,
    so the worker does not wait for the whole job before it exits."""
    if threading.current_thread() is not threading.main_thread():
        return  # under --reload the worker loop runs in a thread; signals stay db_worker's
    for signum in _STOP_SIGNALS:
        previous = signal.getsignal(signum)
        if getattr(previous, "stops_jobs", False):
            continue

        def handler(number: int, frame: FrameType | None, previous: Any = previous) -> None:
            runs_stop()
            if callable(previous):
                previous(number, frame)

        handler.stops_jobs = True  # type: ignore[attr-defined]
        signal.signal(signum, handler)


class Command(BaseCommand):
    help = (
        "Run a background worker: django-tasks-db's db_worker (same options, passed through), "
        "plus maintenance at start and every MEMBERSHIP_STALE_SECONDS/2: jobs a dead worker "
        "left are taken over, its interrupted emails parked, overdue emails flushed. "
        "SIGINT/SIGTERM stop it after the current chunk of a membership job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        DbWorker().add_arguments(parser)
        # A reload restarts the worker in the middle of a job; never unless asked for.
        parser.set_defaults(reload=False)
        for action in parser._actions:
            if action.dest == "reload":
                action.help = "Reload the worker on code changes (development only; default: no)."

    def handle(self, *args: Any, **options: Any) -> None:
        supervisor_only = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        stop = threading.Event()
        thread: threading.Thread | None = None
        if not supervisor_only:  # (with --reload, the child process does the work)
            report = maintenance_run()
            self.stdout.write(
                f"Worker maintenance: {report.jobs_requeued} job(s) re-queued, "
                f"{report.messages_parked} interrupted email(s) parked."
            )
            thread = threading.Thread(
                target=maintenance_loop,
                args=(stop, maintenance_interval()),
                name="worker-maintenance",
                daemon=True,
            )
            thread.start()
            task_started.connect(_stop_jobs_first, weak=False, dispatch_uid="run_worker")
        worker_options = {
            key: options[key]
            for key in (
                "queue_name",
                "exclude_queues",
                "interval",
                "batch",
                "reload",
                "backend_name",
                "startup_delay",
                "max_tasks",
                "worker_id",
                "verbosity",
            )
        }
        handlers = {signum: signal.getsignal(signum) for signum in _STOP_SIGNALS}
        try:
            call_command("db_worker", **worker_options)
        finally:
            in_main_thread = threading.current_thread() is threading.main_thread()
            for signum, handler in handlers.items():  # (db_worker leaves its own installed)
                if in_main_thread and handler is not None:
                    signal.signal(signum, handler)
            stop.set()
            if thread is not None:
                thread.join(timeout=5)
            task_started.disconnect(dispatch_uid="run_worker")
