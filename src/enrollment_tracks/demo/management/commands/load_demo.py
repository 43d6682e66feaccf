from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enrollment_tracks.demo import loader


class Command(BaseCommand):
    help = "Load the demo site (idempotent: a second run changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = loader.load_demo()
        if report.created:
            self.stdout.write("Demo data created: " + "; ".join(report.created) + ".")
        else:
            self.stdout.write("Demo data already loaded; nothing changed.")
