from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.selectors import course_enrollments
from enrollment_tracks.membership.commanding import (
    actor_for,
    course_for,
    plan_change,
    show_and_maybe_run,
)


class Command(BaseCommand):
    help = (
        "Move everyone enrolled in a course (or in every course of an org) from one track to "
        "another (Open edX's bulk_change_enrollment). Dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("-c", "--course", help="Course run key.")
        where.add_argument("-o", "--org", help="Every course run of this organisation.")
        parser.add_argument("-f", "--from_mode", required=True, help="From track.")
        parser.add_argument("-t", "--to_mode", required=True, help="To track.")
        parser.add_argument("--commit", action="store_true", help="Apply the change.")
        parser.add_argument("--reason", default="bulk_change_enrollment management command")
        parser.add_argument("--actor", default=None, help="Username recorded as the actor.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = actor_for(options["actor"])
        if options["course"]:
            courses = [course_for(options["course"])]
        else:
            courses = list(CourseRun.objects.filter(org=options["org"]).order_by("key"))
            if not courses:
                raise CommandError(f"The organisation {options['org']!r} has no course runs.")
        for course in courses:
            usernames = list(
                course_enrollments(course)
                .filter(track=options["from_mode"])
                .values_list("user__username", flat=True)
            )
            if not usernames:
                self.stdout.write(f"{course.key}: nobody on {options['from_mode']}; skipped.")
                continue
            job = plan_change(
                actor=actor,
                course=course,
                identifiers=usernames,
                from_track=options["from_mode"],
                to_track=options["to_mode"],
                reason=options["reason"],
            )
            show_and_maybe_run(job, actor=actor, commit=options["commit"], write=self.stdout.write)
