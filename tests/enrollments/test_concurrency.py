"""Simultaneous enrollments, on real PostgreSQL connections and row locks.

Each thread has its own database connection and transaction; a barrier releases them together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from enrollment_tracks.core.errors import DomainError, ValidationFailed
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.enrollments.services import enrollment_create
from tests.factories import UserFactory, make_course, make_track

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _run_together(count: int, work: Callable[[int], Any]) -> list[tuple[str, Any]]:
    """Run ``work(i)`` in ``count`` threads released at once; ``("ok", result)`` or
    ``("error", exception)`` per thread, in thread order."""
    barrier = threading.Barrier(count)
    outcomes: list[tuple[str, Any]] = [("not run", None)] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", work(index))
        except BaseException as error:  # reported to the test, which fails on it
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


@pytest.mark.parametrize("threads", [2, 8])
@pytest.mark.parametrize("configured", [False, True], ids=["nothing configured", "audit track"])
def test_simultaneous_enrollments_of_one_learner_make_one_row(threads, configured):
    course = make_course()
    if configured:
        make_track(course, "audit")
    learner = UserFactory()

    outcomes = _run_together(
        threads, lambda _: enrollment_create(actor=learner, learner=learner, course=course)
    )

    errors = [value for status, value in outcomes if status != "ok"]
    assert errors == []
    results = [value for _, value in outcomes]
    assert sum(result.changed for result in results) == 1
    assert sum(result.created for result in results) == 1
    assert len({result.enrollment.pk for result in results}) == 1
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    assert Enrollment.objects.filter(course=course).count() == 1
    [row] = EnrollmentAudit.objects.filter(course=course)
    assert (row.transition, row.enrollment_id) == (Transition.UNENROLLED_TO_ENROLLED, enrollment.pk)


@pytest.mark.parametrize("learners", [2, 8])
def test_the_last_seat_goes_to_exactly_one_of_simultaneous_learners(learners):
    course = make_course(max_enrollments=1)
    make_track(course, "audit")
    people = UserFactory.create_batch(learners)

    outcomes = _run_together(
        learners,
        lambda index: enrollment_create(actor=people[index], learner=people[index], course=course),
    )

    succeeded = [value for status, value in outcomes if status == "ok"]
    refused = [value for status, value in outcomes if status == "error"]
    assert len(succeeded) == 1
    assert len(refused) == learners - 1
    for error in refused:
        assert isinstance(error, ValidationFailed), repr(error)
        assert error.code == "course_full"
    winner = succeeded[0].enrollment
    assert list(Enrollment.objects.filter(course=course).values_list("pk", "is_active")) == [
        (winner.pk, True)
    ]
    assert EnrollmentAudit.objects.filter(course=course).count() == 1


def test_errors_in_threads_are_domain_errors_not_database_errors():
    """A refused learner racing an admitted one sees the domain refusal, never an IntegrityError."""
    course = make_course(max_enrollments=1)
    first, second = UserFactory.create_batch(2)
    enrollment_create(actor=first, learner=first, course=course)

    outcomes = _run_together(
        4, lambda _: enrollment_create(actor=second, learner=second, course=course)
    )

    assert [status for status, _ in outcomes] == ["error"] * 4
    assert all(isinstance(error, DomainError) for _, error in outcomes)
    assert {error.code for _, error in outcomes} == {"course_full"}
    assert not Enrollment.objects.filter(user=second, course=course).exists()
