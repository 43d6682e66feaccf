"""``enrollment_unenroll`` and re-enrollment: the row, its dates and its history stay."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core.clock import frozen_at
from enrollment_tracks.core.errors import PermissionDenied, ValidationFailed
from enrollment_tracks.enrollments.models import Enrollment, Transition
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.services import course_default_track_pin, course_track_delete
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


def test_unenroll_deactivates_and_keeps_the_row(course, learner, audit_trail):
    with frozen_at(MONDAY):
        enrolled = enrollment_create(actor=learner, learner=learner, course=course).enrollment
    with frozen_at(TUESDAY):
        result = enrollment_unenroll(actor=learner, learner=learner, course=course)

    assert (result.created, result.changed) == (False, True)
    row = Enrollment.objects.get(user=learner, course=course)
    assert row.pk == enrolled.pk
    assert (row.is_active, row.track) == (False, "audit")
    assert (row.created, row.updated) == (MONDAY, TUESDAY)
    last = audit_trail(learner, course)[-1]
    assert last.transition == Transition.ENROLLED_TO_UNENROLLED == "from enrolled to unenrolled"
    assert (last.actor, last.role, last.enrollment) == (learner, "learner", row)
    assert (last.track_before, last.track_after) == ("audit", "audit")


@pytest.mark.parametrize("history", ["never enrolled", "already unenrolled"])
def test_unenroll_when_not_enrolled_is_refused(history, course, learner, audit_trail):
    if history == "already unenrolled":
        enrollment_create(actor=learner, learner=learner, course=course)
        enrollment_unenroll(actor=learner, learner=learner, course=course)
    rows_before = len(audit_trail(learner, course))

    with pytest.raises(ValidationFailed) as caught:
        enrollment_unenroll(actor=learner, learner=learner, course=course)

    assert caught.value.code == "not_enrolled"
    assert caught.value.message == "You are not enrolled in this course."
    assert len(audit_trail(learner, course)) == rows_before


def test_staff_unenrolling_a_learner_who_is_not_enrolled_is_told_so(course, staff, learner):
    with pytest.raises(ValidationFailed) as caught:
        enrollment_unenroll(actor=staff, learner=learner, course=course)

    assert caught.value.code == "not_enrolled"
    assert caught.value.message == "This learner is not enrolled in this course."


def test_staff_unenrolls_a_learner_with_a_reason(course, staff, learner, audit_trail):
    enrollment_create(actor=learner, learner=learner, course=course)

    enrollment_unenroll(actor=staff, learner=learner, course=course, reason="Left the cohort")

    last = audit_trail(learner, course)[-1]
    assert (last.actor, last.role, last.reason) == (staff, "staff", "Left the cohort")
    assert Enrollment.objects.get(user=learner, course=course).is_active is False


def test_a_learner_cannot_unenroll_someone_else(course, learner):
    other = UserFactory()
    enrollment_create(actor=other, learner=other, course=course)

    with pytest.raises(PermissionDenied) as caught:
        enrollment_unenroll(actor=learner, learner=other, course=course)

    assert caught.value.code == "not_course_staff"
    assert Enrollment.objects.get(user=other, course=course).is_active is True


def test_unenrolling_frees_a_seat():
    course = make_course(max_enrollments=1)
    first, second = UserFactory.create_batch(2)
    enrollment_create(actor=first, learner=first, course=course)
    enrollment_unenroll(actor=first, learner=first, course=course)

    result = enrollment_create(actor=second, learner=second, course=course)

    assert result.enrollment.is_active is True


# ---------------------------------------------------------------------------- re-enrollment


def _enroll_then_unenroll(course, learner):
    with frozen_at(MONDAY):
        enrollment_create(actor=learner, learner=learner, course=course)
    with frozen_at(TUESDAY):
        enrollment_unenroll(actor=learner, learner=learner, course=course)


def test_reenrollment_stays_on_audit_while_audit_is_offered(course, learner):
    make_track(course, "honor")
    _enroll_then_unenroll(course, learner)

    result = enrollment_create(actor=learner, learner=learner, course=course)

    assert result.enrollment.track == "audit"


def test_reenrollment_lands_on_the_pinned_default(course, learner, staff, audit_trail):
    _enroll_then_unenroll(course, learner)
    honor = make_track(course, "honor")
    course_default_track_pin(actor=staff, course=course, track=honor)

    with frozen_at(WEDNESDAY):
        result = enrollment_create(actor=learner, learner=learner, course=course)

    _assert_reenrolled_on_honor(result, learner, course, audit_trail)


def test_reenrollment_lands_on_honor_once_it_is_the_only_free_track(
    course, learner, staff, audit_trail
):
    _enroll_then_unenroll(course, learner)
    make_track(course, "honor")
    course_track_delete(actor=staff, track=CourseTrack.objects.get(course=course, slug="audit"))

    with frozen_at(WEDNESDAY):
        result = enrollment_create(actor=learner, learner=learner, course=course)

    _assert_reenrolled_on_honor(result, learner, course, audit_trail)


def test_reenrollment_in_a_course_that_configured_nothing_then_added_honor(learner, audit_trail):
    course = make_course()
    _enroll_then_unenroll(course, learner)
    make_track(course, "honor")

    with frozen_at(WEDNESDAY):
        result = enrollment_create(actor=learner, learner=learner, course=course)

    _assert_reenrolled_on_honor(result, learner, course, audit_trail)


def _assert_reenrolled_on_honor(result, learner, course, audit_trail):
    first = audit_trail(learner, course)[0].enrollment
    assert (result.created, result.changed) == (False, True)
    assert result.enrollment.pk == first.pk
    row = Enrollment.objects.get(user=learner, course=course)
    assert (row.track, row.is_active) == ("honor", True)
    assert (row.created, row.updated) == (MONDAY, WEDNESDAY)
    assert Enrollment.objects.filter(user=learner, course=course).count() == 1
    trail = audit_trail(learner, course)
    assert [(r.transition, r.created_at) for r in trail] == [
        (Transition.UNENROLLED_TO_ENROLLED, MONDAY),
        (Transition.ENROLLED_TO_UNENROLLED, TUESDAY),
        (Transition.UNENROLLED_TO_ENROLLED, WEDNESDAY),
    ]
    assert [(r.track_before, r.track_after) for r in trail] == [
        ("", "audit"),
        ("audit", "audit"),
        ("audit", "honor"),
    ]
    assert {r.enrollment_id for r in trail} == {row.pk}


def test_reenrollment_is_subject_to_the_enrollment_window(learner):
    course = make_course(enrollment_end=TUESDAY)
    _enroll_then_unenroll(course, learner)

    with frozen_at(WEDNESDAY), pytest.raises(ValidationFailed) as caught:
        enrollment_create(actor=learner, learner=learner, course=course)

    assert caught.value.code == "enrollment_closed"
    assert Enrollment.objects.get(user=learner, course=course).is_active is False


def test_an_active_enrollment_reenrolled_without_a_track_keeps_its_track(learner, audit_trail):
    enable_paid_tracks()
    course = make_course()
    make_track(course, "audit")
    make_track(course, "verified", price=49)
    staff = make_course_team(course, "staff")
    enrollment_create(
        actor=staff, learner=learner, course=course, track="verified", reason="Scholarship"
    )

    result = enrollment_create(actor=learner, learner=learner, course=course)

    assert (result.created, result.changed) == (False, False)
    assert result.enrollment.track == "verified"
    assert Enrollment.objects.get(user=learner, course=course).track == "verified"
    assert len(audit_trail(learner, course)) == 1


def test_an_active_learner_picking_another_free_track_moves_there(course, learner, audit_trail):
    make_track(course, "honor")
    enrollment_create(actor=learner, learner=learner, course=course)

    result = enrollment_create(actor=learner, learner=learner, course=course, track="honor")

    assert (result.created, result.changed) == (False, True)
    assert result.enrollment.track == "honor"
    last = audit_trail(learner, course)[-1]
    assert last.transition == Transition.ENROLLED_TO_ENROLLED
    assert (last.track_before, last.track_after) == ("audit", "honor")
