from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.accounts.selectors import user_find_by_username
from enrollment_tracks.verification.housekeeping import photos_delete_due
from enrollment_tracks.verification.services import verification_retire_user


class Command(BaseCommand):
    help = (
        "Account retirement, verification part: blank the learner's names on ID and delete all "
        "their verification photos (stored objects and wrapped keys). The decisions stay."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_find_by_username(options["username"])
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        attempts = verification_retire_user(user.pk)
        deleted = photos_delete_due(user_id=user.pk)
        self.stdout.write(f"{attempts} attempt(s) retired, {deleted} photo(s) deleted.")
