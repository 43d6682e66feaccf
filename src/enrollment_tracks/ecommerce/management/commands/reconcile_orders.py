from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from enrollment_tracks.ecommerce.selectors import money_balances, paid_track_enrollments_unbacked
from enrollment_tracks.ecommerce.services import orders_reconcile


class Command(BaseCommand):
    help = (
        "Fulfil orders paid but never fulfilled, then report the invariants: paid-track "
        "enrollments without an order or grant, and captured - refunded against fulfilled "
        "orders per currency. Exits 1 when something is still wrong."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Only orders paid at least this many seconds ago (default: the setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import datetime as dt

        age = options["older_than"]
        report = orders_reconcile(older_than=dt.timedelta(seconds=age) if age is not None else None)
        self.stdout.write(
            f"Fulfilled {len(report.fulfilled)} order(s): {' '.join(report.fulfilled)}"
        )
        problems = 0
        for number, error in report.failed.items():
            self.stderr.write(f"Order {number} could not be fulfilled: {error}")
            problems += 1
        unbacked = paid_track_enrollments_unbacked().count()
        if unbacked:
            self.stderr.write(f"{unbacked} paid-track enrollment(s) have no order and no grant.")
            problems += 1
        for balance in money_balances():
            line = (
                f"{balance.currency}: captured {balance.captured}, refunded {balance.refunded}, "
                f"fulfilled {balance.fulfilled_value}, paid awaiting fulfilment "
                f"{balance.paid_unfulfilled_value}, difference {balance.difference}"
            )
            if balance.difference:
                self.stderr.write(line)
                problems += 1
            else:
                self.stdout.write(line)
        if problems:
            raise SystemExit(1)
