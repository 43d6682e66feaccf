"""Which rows an enrollment write locks, seen from a second PostgreSQL connection.

An enrollment write locks the learner's enrollment only: enrollments of other learners in the
same course must not wait for it (they would if the course's row were locked too, which a lock
query ordered by the course's key would do through its join).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection, transaction

from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import (
    enrollment_change_track,
    enrollment_create,
    enrollment_unenroll,
)
from tests.factories import UserFactory, make_course, make_track

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


@contextmanager
def other_connection() -> Iterator[psycopg.Connection[Any]]:
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=False,
        connect_timeout=5,
    ) as other:
        yield other


def locked_elsewhere(table: str, row_id: int) -> bool:
    """Whether another transaction holds a lock on the row (``FOR UPDATE NOWAIT`` fails)."""
    with other_connection() as other:
        try:
            other.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE NOWAIT", [row_id])  # noqa: S608
        except psycopg.errors.LockNotAvailable:
            return True
        finally:
            other.rollback()
        return False


def test_enrolling_a_new_learner_locks_neither_the_course_nor_the_learner():
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    learner = UserFactory()

    with transaction.atomic():
        # The new row itself is invisible to others until the commit.
        enrollment_create(actor=learner, learner=learner, course=course)
        assert not locked_elsewhere("courses_courserun", course.pk)
        assert not locked_elsewhere("accounts_user", learner.pk)


@pytest.mark.parametrize("change", ["re-enroll", "change track", "unenroll"])
def test_changing_an_enrollment_locks_it_and_not_the_course(change):
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    learner = UserFactory()
    enrollment = enrollment_create(actor=learner, learner=learner, course=course).enrollment
    if change == "re-enroll":
        enrollment_unenroll(actor=learner, learner=learner, course=course)

    with transaction.atomic():
        if change == "re-enroll":
            enrollment_create(actor=learner, learner=learner, course=course)
        elif change == "change track":
            enrollment_change_track(actor=learner, learner=learner, course=course, track="honor")
        else:
            enrollment_unenroll(actor=learner, learner=learner, course=course)
        assert locked_elsewhere("enrollments_enrollment", enrollment.pk)
        assert not locked_elsewhere("courses_courserun", course.pk)

    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_a_course_with_a_capacity_is_locked_while_a_learner_takes_a_seat():
    """The one course lock meant: counting the seats of a full-able course."""
    course = make_course(max_enrollments=10)
    learner = UserFactory()

    with transaction.atomic():
        enrollment_create(actor=learner, learner=learner, course=course)
        assert locked_elsewhere("courses_courserun", course.pk)
