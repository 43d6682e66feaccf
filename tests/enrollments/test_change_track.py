"""``enrollment_change_track``: moving an existing enrollment to another offered track."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core.clock import frozen_at
from enrollment_tracks.core.errors import NotFound, PermissionDenied, ValidationFailed
from enrollment_tracks.enrollments.models import Enrollment, Transition
from enrollment_tracks.enrollments.services import (
    enrollment_change_track,
    enrollment_create,
    enrollment_unenroll,
)
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

pytestmark = pytest.mark.django_db

DEADLINE = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
BEFORE_DEADLINE = DEADLINE - dt.timedelta(days=1)
AFTER_DEADLINE = DEADLINE + dt.timedelta(days=1)
ENROLLED = DEADLINE - dt.timedelta(days=30)


@pytest.fixture
def free_course(course):
    """Audit and honor, both free."""
    make_track(course, "honor")
    return course


@pytest.fixture
def paid_course():
    """Audit, honor and verified (upgrade deadline ``DEADLINE``), with a staff member."""
    enable_paid_tracks()
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    make_track(course, "verified", price=49, upgrade_deadline=DEADLINE)
    return course


def _enrolled(learner, course):
    with frozen_at(ENROLLED):
        return enrollment_create(actor=learner, learner=learner, course=course).enrollment


def test_staff_moves_an_active_learner_from_audit_to_honor(
    free_course, staff, learner, audit_trail
):
    enrollment = _enrolled(learner, free_course)

    result = enrollment_change_track(
        actor=staff, learner=learner, course=free_course, track="honor", reason="Asked by email"
    )

    assert (result.created, result.changed) == (False, True)
    assert result.enrollment.pk == enrollment.pk
    row = Enrollment.objects.get(pk=enrollment.pk)
    assert (row.track, row.is_active) == ("honor", True)
    last = audit_trail(learner, free_course)[-1]
    assert last.transition == Transition.ENROLLED_TO_ENROLLED == "from enrolled to enrolled"
    assert (last.track_before, last.track_after) == ("audit", "honor")
    assert (last.actor, last.role, last.reason) == (staff, "staff", "Asked by email")
    assert len(audit_trail(learner, free_course)) == 2


def test_changing_to_the_current_track_changes_nothing(free_course, staff, learner, audit_trail):
    _enrolled(learner, free_course)

    result = enrollment_change_track(
        actor=staff, learner=learner, course=free_course, track="audit"
    )

    assert (result.created, result.changed) == (False, False)
    assert result.enrollment.track == "audit"
    assert len(audit_trail(learner, free_course)) == 1


def test_an_inactive_enrollment_changes_track_and_stays_inactive(
    free_course, staff, learner, audit_trail
):
    _enrolled(learner, free_course)
    enrollment_unenroll(actor=learner, learner=learner, course=free_course)

    enrollment_change_track(actor=staff, learner=learner, course=free_course, track="honor")

    row = Enrollment.objects.get(user=learner, course=free_course)
    assert (row.track, row.is_active) == ("honor", False)
    last = audit_trail(learner, free_course)[-1]
    assert last.transition == Transition.UNENROLLED_TO_UNENROLLED == "from unenrolled to unenrolled"
    assert (last.track_before, last.track_after) == ("audit", "honor")


def test_a_learner_who_never_enrolled_is_not_found(free_course, staff, learner, audit_trail):
    with pytest.raises(NotFound) as caught:
        enrollment_change_track(actor=staff, learner=learner, course=free_course, track="honor")

    assert caught.value.code == "not_enrolled"
    assert caught.value.message == "This learner has never enrolled in this course."
    assert not Enrollment.objects.filter(course=free_course).exists()
    assert audit_trail(learner, free_course) == []


@pytest.mark.parametrize(
    ("track", "error", "code"),
    [
        ("gold", ValidationFailed, "unknown_track"),
        ("professional", ValidationFailed, "track_not_offered"),
    ],
)
def test_staff_cannot_use_a_track_the_course_does_not_offer(
    track, error, code, free_course, staff, learner
):
    _enrolled(learner, free_course)

    with pytest.raises(error) as caught:
        enrollment_change_track(actor=staff, learner=learner, course=free_course, track=track)

    assert (caught.value.code, caught.value.field) == (code, "track")
    assert Enrollment.objects.get(user=learner, course=free_course).track == "audit"


# ---------------------------------------------------------------------------- learners


def test_a_learner_moves_themselves_to_a_free_self_selectable_track(
    free_course, learner, audit_trail
):
    _enrolled(learner, free_course)

    result = enrollment_change_track(
        actor=learner, learner=learner, course=free_course, track="honor"
    )

    assert result.changed is True
    assert Enrollment.objects.get(user=learner, course=free_course).track == "honor"
    last = audit_trail(learner, free_course)[-1]
    assert (last.actor, last.role) == (learner, "learner")


def test_a_learner_cannot_move_themselves_to_a_paid_track(paid_course, learner, audit_trail):
    _enrolled(learner, paid_course)

    with frozen_at(BEFORE_DEADLINE), pytest.raises(PermissionDenied) as caught:
        enrollment_change_track(
            actor=learner, learner=learner, course=paid_course, track="verified"
        )

    assert (caught.value.code, caught.value.field) == ("track_requires_payment", "track")
    assert caught.value.message.startswith(
        "Verified is a paid track ($49.00); you cannot enroll on it without paying."
    )
    assert Enrollment.objects.get(user=learner, course=paid_course).track == "audit"
    assert len(audit_trail(learner, paid_course)) == 1


def test_a_learner_cannot_change_someone_elses_track(free_course, learner):
    other = UserFactory()
    _enrolled(other, free_course)

    with pytest.raises(PermissionDenied) as caught:
        enrollment_change_track(actor=learner, learner=other, course=free_course, track="honor")

    assert caught.value.code == "not_course_staff"
    assert Enrollment.objects.get(user=other, course=free_course).track == "audit"


# ---------------------------------------------------------------------------- paid and expired


def test_staff_needs_a_reason_for_a_paid_track(paid_course, learner):
    staff = make_course_team(paid_course, "staff")
    _enrolled(learner, paid_course)

    with frozen_at(BEFORE_DEADLINE), pytest.raises(ValidationFailed) as caught:
        enrollment_change_track(actor=staff, learner=learner, course=paid_course, track="verified")

    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    assert Enrollment.objects.get(user=learner, course=paid_course).track == "audit"


@pytest.mark.parametrize("moment", [BEFORE_DEADLINE, AFTER_DEADLINE])
def test_staff_may_use_verified_before_and_after_its_deadline(
    moment, paid_course, learner, audit_trail
):
    staff = make_course_team(paid_course, "instructor")
    _enrolled(learner, paid_course)

    with frozen_at(moment):
        result = enrollment_change_track(
            actor=staff,
            learner=learner,
            course=paid_course,
            track="verified",
            reason="Paid by wire",
        )

    assert result.changed is True
    assert Enrollment.objects.get(user=learner, course=paid_course).track == "verified"
    last = audit_trail(learner, paid_course)[-1]
    assert (last.track_before, last.track_after) == ("audit", "verified")
    assert (last.role, last.reason) == ("instructor", "Paid by wire")


def test_a_learner_cannot_use_an_expired_track(paid_course, learner):
    _enrolled(learner, paid_course)

    with frozen_at(AFTER_DEADLINE), pytest.raises(ValidationFailed) as caught:
        enrollment_change_track(
            actor=learner, learner=learner, course=paid_course, track="verified"
        )

    assert (caught.value.code, caught.value.field) == ("track_not_offered", "track")
    assert caught.value.message == "This course does not offer the Verified track."
    assert Enrollment.objects.get(user=learner, course=paid_course).track == "audit"
