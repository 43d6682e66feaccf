"""The demo site (DESIGN.md section 8), built through the services, safe to load twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.courses.models import CourseRole, CourseRun
from enrollment_tracks.courses.services import course_create, course_role_grant
from enrollment_tracks.courses.types import CourseInput
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.services import course_track_create
from enrollment_tracks.tracks.types import TrackInput

ADMIN = ("admin", "demo-admin-2026")
STAFF = ("staff", "demo-staff-2026")
LEARNER_PASSWORD = "demo-learner-2026"  # noqa: S105 - documented demo-only password
LEARNER_COUNT = 200
COURSE_A = "course-v1:DemoX+Tracks101+2026"
COURSE_B = "course-v1:DemoX+Tracks201+2026"

_UTC = dt.UTC
_START = dt.datetime(2026, 9, 1, tzinfo=_UTC)
_END = dt.datetime(2027, 6, 30, tzinfo=_UTC)


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.created.append(what)


def learner_username(number: int) -> str:
    return f"learner{number:03d}"


def _users(report: DemoReport) -> tuple[User, User, list[User]]:
    admin, made = User.objects.get_or_create(
        username=ADMIN[0],
        defaults={
            "email": "admin@demo.example",
            "name": "Site Admin",
            "is_staff": True,
            "is_superuser": True,
            "password": make_password(ADMIN[1]),
        },
    )
    if made:
        report.add("site admin")
    staff, made = User.objects.get_or_create(
        username=STAFF[0],
        defaults={
            "email": "staff@demo.example",
            "name": "Course Team",
            "password": make_password(STAFF[1]),
        },
    )
    if made:
        report.add("course team member")
    wanted = [learner_username(n) for n in range(1, LEARNER_COUNT + 1)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    missing = [name for name in wanted if name not in existing]
    if missing:
        # One hash for all demo learners: hashing 200 passwords would take minutes.
        password = make_password(LEARNER_PASSWORD)
        User.objects.bulk_create(
            User(
                username=name,
                email=f"{name}@demo.example",
                name=f"Learner {name[-3:]}",
                password=password,
            )
            for name in missing
        )
        report.add(f"{len(missing)} learners")
    learners = list(User.objects.filter(username__in=wanted).order_by("username"))
    return admin, staff, learners


def _course(key: str, title: str, report: DemoReport) -> CourseRun:
    course = CourseRun.objects.filter(key=key).first()
    if course is None:
        course = course_create(
            data=CourseInput(
                key=key,
                title=title,
                start=_START,
                end=_END,
                enrollment_start=dt.datetime(2026, 6, 1, tzinfo=_UTC),
                enrollment_end=dt.datetime(2027, 5, 31, tzinfo=_UTC),
            )
        )
        report.add(f"course {key}")
    return course


def _track(course: CourseRun, actor: User, data: TrackInput, report: DemoReport) -> None:
    if CourseTrack.objects.filter(course=course, slug=data.slug).exists():
        return
    course_track_create(actor=actor, course=course, data=data)
    report.add(f"{data.slug} track in {course.key}")


def _course_b_tracks(course: CourseRun, admin: User, report: DemoReport) -> None:
    _track(course, admin, TrackInput(slug=catalog.AUDIT), report)
    _track(course, admin, TrackInput(slug=catalog.HONOR), report)
    if CourseTrack.objects.filter(course=course, slug=catalog.VERIFIED).exists():
        return
    # Verified was configured while e-commerce was on; the site then switched it off, so the
    # track is listed as unavailable with the reason (the state the product starts in).
    previous = site_configuration_get()
    site_configuration_update(ecommerce_enabled=True, id_verification_enabled=True)
    _track(
        course,
        admin,
        TrackInput(
            slug=catalog.VERIFIED,
            price=Decimal(49),
            upgrade_deadline=_END - dt.timedelta(days=10),
        ),
        report,
    )
    if not previous.ecommerce_enabled:
        site_configuration_update(ecommerce_enabled=False)


@transaction.atomic
def load_demo() -> DemoReport:
    report = DemoReport()
    if not site_configuration_get().id_verification_enabled:
        site_configuration_update(id_verification_enabled=True)
    admin, staff, learners = _users(report)
    course_a = _course(COURSE_A, "Tracks 101", report)
    course_b = _course(COURSE_B, "Tracks 201", report)
    for course in (course_a, course_b):
        course_role_grant(course=course, user=staff, role=CourseRole.STAFF)
    _course_b_tracks(course_b, admin, report)
    enrolled = 0
    for learner in learners:
        result = enrollment_create(
            actor=staff, learner=learner, course=course_a, reason="Demo data"
        )
        enrolled += int(result.changed)
    if enrolled:
        report.add(f"{enrolled} audit enrollments in {COURSE_A}")
    return report
