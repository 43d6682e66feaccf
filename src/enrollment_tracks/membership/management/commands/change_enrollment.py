from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.membership.commanding import (
    DEFAULT_REASON,
    actor_for,
    change_request,
    course_for,
    plan_and_maybe_run,
)


class Command(BaseCommand):
    help = (
        "Move the listed learners of a course from one track to another (Open edX's "
        "change_enrollment). A dry run unless --commit; --noop (Open edX's dry run) wins over "
        "--commit. Runs through the membership job engine, so every change is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-c", "--course", required=True, help="Course run key.")
        parser.add_argument("-f", "--from", dest="from_mode", required=True, help="From track.")
        parser.add_argument("-t", "--to", dest="to_mode", required=True, help="To track.")
        parser.add_argument("-u", "--username", "--usernames", default="", help="a,b,c")
        parser.add_argument("-e", "--email", "--emails", default="", help="x@y,z@w")
        parser.add_argument("-n", "--noop", action="store_true", help="Dry run (the default).")
        parser.add_argument("--commit", action="store_true", help="Apply the change.")
        parser.add_argument("--reason", default=DEFAULT_REASON, help="Kept in the audit trail.")
        parser.add_argument("--actor", default=None, help="Username the audit trail names.")

    def handle(self, *args: Any, **options: Any) -> None:
        identifiers = [
            value.strip()
            for value in f"{options['username']},{options['email']}".split(",")
            if value.strip()
        ]
        if not identifiers:
            raise CommandError("Give at least one learner with -u/--username or -e/--email.")
        actor = actor_for(options["actor"])
        course = course_for(options["course"])
        request = change_request(
            identifiers,
            from_track=options["from_mode"],
            to_track=options["to_mode"],
            reason=options["reason"],
        )
        try:
            plan_and_maybe_run(
                actor=actor,
                course=course,
                request=request,
                commit=options["commit"] and not options["noop"],
                write=self.stdout.write,
            )
        except DomainError as error:
            raise CommandError(f"{course.key}: {error.message}") from None
