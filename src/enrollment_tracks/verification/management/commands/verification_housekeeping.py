from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enrollment_tracks.verification.housekeeping import housekeeping_run
from enrollment_tracks.verification.tasks import housekeeping_schedule


class Command(BaseCommand):
    help = (
        "ID verification housekeeping: expire approvals, send expiry reminders, delete photos "
        "past retention. Runs here, or with --enqueue starts the background task, which then "
        "repeats every VERIFICATION_HOUSEKEEPING_SECONDS. Safe to run at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the recurring task instead of running."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            queued = housekeeping_schedule(delay=dt.timedelta(seconds=0))
            self.stdout.write("Housekeeping queued." if queued else "Housekeeping already queued.")
            return
        report = housekeeping_run()
        self.stdout.write(
            f"{report.expired} approval(s) expired, {report.reminded} reminder(s) queued, "
            f"{report.photos_deleted} photo(s) deleted."
        )
