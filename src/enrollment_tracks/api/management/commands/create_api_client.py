from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.accounts.selectors import user_find_by_username
from enrollment_tracks.api.models import scopes_format
from enrollment_tracks.api.permissions import ALL_SCOPES
from enrollment_tracks.api.services import api_client_create
from enrollment_tracks.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Register an OAuth2 service client (confidential, client credentials) that acts as the "
        "given user with the given scopes, and print its client id and secret. The secret is "
        "shown once: only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name people recognise, e.g. 'E-commerce'.")
        parser.add_argument(
            "--scopes",
            default="",
            help=f"Comma-separated, among: {', '.join(sorted(ALL_SCOPES))}.",
        )
        parser.add_argument(
            "--user",
            required=True,
            help="Username of the existing service user the client acts as.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = user_find_by_username(options["user"])
        if user is None:
            raise CommandError(
                f"No user {options['user']!r}: create the service user first (admin or "
                "createsuperuser)."
            )
        scopes = frozenset(
            scope.strip() for scope in options["scopes"].replace(" ", ",").split(",") if scope
        ) - {""}
        try:
            created = api_client_create(name=options["name"], scopes=scopes, user=user)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"client_id: {created.client_id}")
        self.stdout.write(f"client_secret: {created.client_secret}")
        self.stdout.write(f"scopes: {scopes_format(created.scopes) or '(none)'}")
        self.stdout.write(f"user: {user.username}")
