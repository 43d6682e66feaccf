"""Test data builders. Rows that have rules are made through the services, never around them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun
from enrollment_tracks.courses.services import course_create
from enrollment_tracks.courses.types import CourseInput
from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.services import course_track_create
from enrollment_tracks.tracks.types import TrackInput

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n:05d}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    name = factory.LazyAttribute(lambda user: f"Learner {user.username}")
    password = factory.django.Password(PASSWORD)
    is_active = True


_course_counter = iter(range(1, 10**9))


def make_course(**fields: Any) -> CourseRun:
    """A course run through the course service; ``key`` defaults to a fresh course-v1 key."""
    fields.setdefault("key", f"course-v1:TestX+T{next(_course_counter)}+2026")
    fields.setdefault("title", "A test course")
    return course_create(data=CourseInput(**fields))


def make_track(
    course: CourseRun,
    slug: str,
    *,
    price: Decimal | int | str = 0,
    upgrade_deadline: dt.datetime | None = None,
    **fields: Any,
) -> CourseTrack:
    """A course track through the tracks service, switching the site's modules on if needed."""
    return course_track_create(
        actor=None,
        course=course,
        data=TrackInput(
            slug=slug, price=Decimal(str(price)), upgrade_deadline=upgrade_deadline, **fields
        ),
    )


def enable_paid_tracks() -> None:
    site_configuration_update(ecommerce_enabled=True, id_verification_enabled=True)


def make_course_team(course: CourseRun, role: str = "staff", **user_fields: Any) -> User:
    user = UserFactory(**user_fields)
    CourseAccessRole.objects.create(user=user, course=course, role=role)
    return user
