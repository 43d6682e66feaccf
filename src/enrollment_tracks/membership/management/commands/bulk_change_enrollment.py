from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.selectors import course_enrollments
from enrollment_tracks.membership.commanding import (
    DEFAULT_REASON,
    actor_for,
    change_request,
    check_change,
    course_for,
    plan_and_maybe_run,
)


class Command(BaseCommand):
    help = (
        "Move everyone enrolled in a course (or in every course of an org) from one track to "
        "another (Open edX's bulk_change_enrollment). A dry run unless --commit. With --org, "
        "a course that cannot take the change is skipped, as in Open edX."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("-c", "--course", help="Course run key.")
        where.add_argument("-o", "--org", help="Every course run of this organisation.")
        parser.add_argument("-f", "--from_mode", required=True, help="From track.")
        parser.add_argument("-t", "--to_mode", required=True, help="To track.")
        parser.add_argument("--commit", action="store_true", help="Apply the change.")
        parser.add_argument("--reason", default=DEFAULT_REASON, help="Kept in the audit trail.")
        parser.add_argument("--actor", default=None, help="Username the audit trail names.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for(options["actor"])
        by_org = bool(options["org"])
        if by_org:
            courses = list(CourseRun.objects.filter(org=options["org"]).order_by("key"))
            if not courses:
                raise CommandError(f"The organisation {options['org']!r} has no course runs.")
        else:
            courses = [course_for(options["course"])]
        tracks = {"from_track": options["from_mode"], "to_track": options["to_mode"]}
        for course in courses:
            try:
                check_change(actor=actor, course=course, reason=options["reason"], **tracks)
            except DomainError as error:
                if not by_org:
                    raise CommandError(f"{course.key}: {error.message}") from None
                self.stdout.write(f"{course.key}: skipped: {error.message}")
                continue
            # Everyone enrolled on the "from" track, in one query (usernames are unique).
            usernames = list(
                course_enrollments(course)
                .filter(track=options["from_mode"])
                .values_list("user__username", flat=True)
            )
            if not usernames:
                self.stdout.write(f"{course.key}: nobody enrolled on {options['from_mode']}.")
                continue
            request = change_request(usernames, reason=options["reason"], **tracks)
            try:
                plan_and_maybe_run(
                    actor=actor,
                    course=course,
                    request=request,
                    commit=options["commit"],
                    write=self.stdout.write,
                )
            except DomainError as error:
                raise CommandError(f"{course.key}: {error.message}") from None
