from __future__ import annotations

from dataclasses import asdict

from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseAccessRole, CourseRole, CourseRun, Pacing
from enrollment_tracks.courses.types import CourseInput


def course_check(*, data: CourseInput, course: CourseRun | None = None) -> None:
    """Raise ``ValidationFailed`` if ``data`` cannot create (or update ``course``)."""
    key = course_key_parse(data.key, field="key")
    if course is not None and str(key) != course.key:
        raise ValidationFailed(
            "A course run's key cannot change.", code="key_immutable", field="key"
        )
    if not data.title.strip():
        raise ValidationFailed("Give the course a title.", code="required", field="title")
    if data.start and data.end and data.end < data.start:
        raise ValidationFailed(
            "The course cannot end before it starts.", code="end_before_start", field="end"
        )
    if (
        data.enrollment_start
        and data.enrollment_end
        and data.enrollment_end < data.enrollment_start
    ):
        raise ValidationFailed(
            "Enrollment cannot close before it opens.",
            code="enrollment_end_before_start",
            field="enrollment_end",
        )
    if data.max_enrollments is not None and data.max_enrollments < 0:
        raise ValidationFailed(
            "The maximum number of enrollments cannot be negative.",
            code="invalid_capacity",
            field="max_enrollments",
        )
    if data.pacing not in Pacing.values:
        raise ValidationFailed(
            "Pacing is either instructor or self.", code="invalid_pacing", field="pacing"
        )


def course_create(*, data: CourseInput) -> CourseRun:
    course_check(data=data)
    key = course_key_parse(data.key, field="key")
    fields = asdict(data)
    fields.pop("key")
    course = CourseRun(
        key=str(key), org=str(key.org), number=str(key.course), run=str(key.run), **fields
    )
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:
        raise Conflict(
            f"A course run with the key “{key}” already exists.", code="course_exists", field="key"
        ) from None
    return course


def course_update(*, course: CourseRun, data: CourseInput) -> CourseRun:
    """Update everything but the key, which identifies the run for ever."""
    course_check(data=data, course=course)
    for name, value in asdict(data).items():
        if name != "key":
            setattr(course, name, value)
    course.save()
    return course


def course_role_grant(*, course: CourseRun, user: User, role: str) -> CourseAccessRole:
    if role not in CourseRole.values:
        raise ValidationFailed(
            f"Unknown course role “{role}”: use instructor or staff.",
            code="unknown_role",
            field="role",
        )
    grant, _ = CourseAccessRole.objects.get_or_create(course=course, user=user, role=role)
    return grant


def course_role_revoke(*, course: CourseRun, user: User, role: str) -> None:
    CourseAccessRole.objects.filter(course=course, user=user, role=role).delete()
