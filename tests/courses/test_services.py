"""Creating and changing course runs and their teams."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun
from enrollment_tracks.courses.services import (
    course_create,
    course_role_grant,
    course_role_revoke,
    course_update,
)
from enrollment_tracks.courses.types import CourseInput
from tests.factories import UserFactory, make_course

JAN = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
JUN = dt.datetime(2026, 6, 30, tzinfo=dt.UTC)
KEY = "course-v1:DemoX+Tracks101+2026"


def test_create_keeps_the_canonical_key_and_its_parts():
    course = course_create(data=CourseInput(key=f"  {KEY} ", title="Tracks 101", start=JAN))

    course.refresh_from_db()
    assert (course.key, course.org, course.number, course.run) == (
        KEY, "DemoX", "Tracks101", "2026",
    )  # fmt: skip
    assert course.start == JAN


def test_create_with_a_legacy_key():
    course = make_course(key="DemoX/Tracks101/2026")

    assert (course.key, course.org, course.number, course.run) == (
        "DemoX/Tracks101/2026", "DemoX", "Tracks101", "2026",
    )  # fmt: skip


def test_duplicate_key_is_a_conflict():
    make_course(key=KEY)

    with pytest.raises(Conflict) as caught:
        make_course(key=KEY, title="Again")

    assert (caught.value.code, caught.value.field) == ("course_exists", "key")
    assert KEY in caught.value.message
    assert "already exists" in caught.value.message
    assert CourseRun.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "code", "field", "words"),
    [
        pytest.param(
            {"key": "course-v1:bad"}, "invalid_course_key", "key", ["not a valid course run key"],
            id="malformed key",
        ),
        pytest.param({"title": "  "}, "required", "title", ["title"], id="blank title"),
        pytest.param(
            {"start": JUN, "end": JAN}, "end_before_start", "end", ["end before it starts"],
            id="end before start",
        ),
        pytest.param(
            {"enrollment_start": JUN, "enrollment_end": JAN}, "enrollment_end_before_start",
            "enrollment_end", ["close before it opens"], id="enrollment end before start",
        ),
        pytest.param(
            {"max_enrollments": -1}, "invalid_capacity", "max_enrollments", ["negative"],
            id="negative capacity",
        ),
        pytest.param(
            {"pacing": "learner"}, "invalid_pacing", "pacing", ["instructor or self"],
            id="unknown pacing",
        ),
    ],
)  # fmt: skip
def test_create_refuses_invalid_input(fields, code, field, words):
    data = CourseInput(**{"key": KEY, "title": "Tracks 101", **fields})

    with pytest.raises(ValidationFailed) as caught:
        course_create(data=data)

    assert (caught.value.code, caught.value.field) == (code, field)
    for word in words:
        assert word in caught.value.message
    assert not CourseRun.objects.exists()


def test_start_equal_to_end_is_allowed():
    course = make_course(start=JAN, end=JAN, enrollment_start=JAN, enrollment_end=JAN)

    assert course.end == course.start


def test_update_changes_everything_but_the_key():
    course = make_course(key=KEY, title="Tracks 101")

    course_update(course=course, data=CourseInput(key=KEY, title="Tracks 101, again", end=JUN))

    course.refresh_from_db()
    assert (course.key, course.title, course.end) == (KEY, "Tracks 101, again", JUN)


def test_update_cannot_change_the_key():
    course = make_course(key=KEY, title="Tracks 101")

    with pytest.raises(ValidationFailed) as caught:
        course_update(
            course=course, data=CourseInput(key="course-v1:DemoX+Tracks201+2026", title="New")
        )

    assert (caught.value.code, caught.value.field) == ("key_immutable", "key")
    assert "cannot change" in caught.value.message
    course.refresh_from_db()
    assert (course.key, course.title) == (KEY, "Tracks 101")


def test_update_refuses_end_before_start_and_keeps_the_row():
    course = make_course(key=KEY, start=JAN, end=JUN)

    with pytest.raises(ValidationFailed) as caught:
        course_update(course=course, data=CourseInput(key=KEY, title="x", start=JUN, end=JAN))

    assert caught.value.code == "end_before_start"
    course.refresh_from_db()
    assert (course.start, course.end) == (JAN, JUN)


def test_unknown_course_role_is_refused():
    course, user = make_course(), UserFactory()

    with pytest.raises(ValidationFailed) as caught:
        course_role_grant(course=course, user=user, role="beta_tester")

    assert (caught.value.code, caught.value.field) == ("unknown_role", "role")
    assert "beta_tester" in caught.value.message
    assert "instructor or staff" in caught.value.message
    assert not CourseAccessRole.objects.exists()


def test_role_grant_is_idempotent_and_revoke_removes_it():
    course, user = make_course(), UserFactory()

    first = course_role_grant(course=course, user=user, role="staff")
    again = course_role_grant(course=course, user=user, role="staff")
    assert first.pk == again.pk
    assert CourseAccessRole.objects.filter(user=user).count() == 1

    course_role_revoke(course=course, user=user, role="staff")
    assert not CourseAccessRole.objects.exists()
