"""Steps of the worker-crash test, each run in its own process against DATABASE_URL.

python tests/membership/crash_scenario.py seed N     -> course, staff, N learners on audit
python tests/membership/crash_scenario.py plan       -> plans and confirms audit -> honor
python tests/membership/crash_scenario.py verify     -> the figures the test asserts on
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from enrollment_tracks.accounts.models import User  # noqa: E402
from enrollment_tracks.core import bulk, clock  # noqa: E402
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun  # noqa: E402
from enrollment_tracks.courses.services import course_create  # noqa: E402
from enrollment_tracks.courses.types import CourseInput  # noqa: E402
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit  # noqa: E402
from enrollment_tracks.membership.models import (  # noqa: E402
    JobResult,
    JobTransition,
    MembershipJob,
)
from enrollment_tracks.membership.parsing import Entry  # noqa: E402
from enrollment_tracks.membership.planning import JobRequest, job_plan  # noqa: E402
from enrollment_tracks.membership.services import job_confirm  # noqa: E402
from enrollment_tracks.notifications.models import OutboxMessage  # noqa: E402
from enrollment_tracks.tracks.services import course_track_create  # noqa: E402
from enrollment_tracks.tracks.types import TrackInput  # noqa: E402

KEY = "course-v1:CrashX+Jobs+2026"


def seed(count: int) -> None:
    call_command("migrate", verbosity=0)
    now = clock.now()
    with transaction.atomic():
        course = course_create(data=CourseInput(key=KEY, title="Crash test"))
        course_track_create(actor=None, course=course, data=TrackInput(slug="audit"))
        course_track_create(actor=None, course=course, data=TrackInput(slug="honor"))
        staff = User.objects.create(username="staff", email="staff@example.org")
        CourseAccessRole.objects.create(user=staff, course=course, role="staff")
        password = make_password(None)
        bulk.insert_rows(
            User._meta.db_table,
            [
                "username",
                "email",
                "name",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
                "first_name",
                "last_name",
                "date_joined",
            ],
            (
                [
                    f"l{n:06d}",
                    f"l{n:06d}@example.org",
                    f"Learner {n}",
                    password,
                    True,
                    False,
                    False,
                    "",
                    "",
                    now,
                ]
                for n in range(count)
            ),
        )
        ids = User.objects.filter(username__startswith="l").values_list("pk", flat=True)
        bulk.insert_rows(
            Enrollment._meta.db_table,
            ["user_id", "course_id", "track", "is_active", "created", "updated"],
            ([pk, course.pk, "audit", True, now, now] for pk in ids),
        )


def plan() -> None:
    course = CourseRun.objects.get(key=KEY)
    staff = User.objects.get(username="staff")
    usernames = User.objects.filter(username__startswith="l").values_list("username", flat=True)
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(
            action="change_track",
            entries=[Entry(name) for name in usernames],
            to_track="honor",
            notify=True,
            reason="crash test",
        ),
    )
    job_confirm(actor=staff, job=job)
    print(json.dumps({"job": str(job.pk), "total": job.total}))


def verify() -> None:
    job = MembershipJob.objects.get()
    learners = Enrollment.objects.filter(user__username__startswith="l")
    outbox_keys = OutboxMessage.objects.values_list("key", flat=True)
    print(
        json.dumps(
            {
                "status": job.status,
                "learners": learners.count(),
                "honor_active": learners.filter(track="honor", is_active=True).count(),
                "audit_rows": EnrollmentAudit.objects.filter(batch_job_id=job.pk).count(),
                "audit_learners": EnrollmentAudit.objects.filter(batch_job_id=job.pk)
                .values("learner_id")
                .distinct()
                .count(),
                "outbox": len(outbox_keys),
                "outbox_recipients": OutboxMessage.objects.values("to_email").distinct().count(),
                "results": JobResult.objects.filter(job=job).count(),
                "result_positions": JobResult.objects.filter(job=job)
                .values("position")
                .distinct()
                .count(),
                "takeovers": list(
                    JobTransition.objects.filter(
                        job=job, from_status="running", to_status="running"
                    ).values_list("note", flat=True)
                ),
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "seed":
        seed(int(sys.argv[2]))
    elif command == "plan":
        plan()
    elif command == "verify":
        verify()
    else:
        raise SystemExit(f"unknown step {command!r}")
