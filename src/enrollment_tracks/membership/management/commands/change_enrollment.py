from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.membership.commanding import (
    actor_for,
    course_for,
    plan_change,
    show_and_maybe_run,
)


class Command(BaseCommand):
    help = (
        "Move the listed learners of a course from one track to another (Open edX's "
        "change_enrollment). Dry run unless --commit; runs through the membership job engine, "
        "so every change is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-c", "--course", required=True, help="Course run key.")
        parser.add_argument("-f", "--from", dest="from_mode", required=True, help="From track.")
        parser.add_argument("-t", "--to", dest="to_mode", required=True, help="To track.")
        parser.add_argument("-u", "--username", default="", help="Comma-separated usernames.")
        parser.add_argument("-e", "--email", default="", help="Comma-separated emails.")
        parser.add_argument("-n", "--noop", action="store_true", help="Dry run (the default).")
        parser.add_argument("--commit", action="store_true", help="Apply the change.")
        parser.add_argument("--reason", default="change_enrollment management command")
        parser.add_argument("--actor", default=None, help="Username recorded as the actor.")

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
        job = plan_change(
            actor=actor,
            course=course,
            identifiers=identifiers,
            from_track=options["from_mode"],
            to_track=options["to_mode"],
            reason=options["reason"],
        )
        show_and_maybe_run(
            job,
            actor=actor,
            commit=options["commit"] and not options["noop"],
            write=self.stdout.write,
        )
