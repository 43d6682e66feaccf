from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from enrollment_tracks.verification.housekeeping import photo_keys_rewrap


class Command(BaseCommand):
    help = (
        "Re-wrap every stored photo's data key under the current key-encryption key "
        "(VERIFICATION_KEK_ID). Run after adding a new key; remove the old key afterwards. "
        "Resumable: run again after an interruption."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = photo_keys_rewrap()
        self.stdout.write(f"{done} data key(s) re-wrapped.")
