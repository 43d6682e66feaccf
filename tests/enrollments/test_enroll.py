"""``enrollment_create``: which track a learner lands on, and who may enroll whom."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core.clock import frozen_at
from enrollment_tracks.core.errors import PermissionDenied, ValidationFailed
from enrollment_tracks.enrollments.models import Enrollment, Invitation, Transition
from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

pytestmark = pytest.mark.django_db


def _course_offering(*slugs: str, **course_fields):
    enable_paid_tracks()
    course = make_course(**course_fields)
    for slug in slugs:
        make_track(course, slug, price=49 if slug in {"verified", "professional"} else 0)
    return course


# ---------------------------------------------------------------------------- self-enrollment


def test_learner_self_enrolls_on_audit_in_an_audit_only_course(course, learner, audit_trail):
    result = enrollment_create(actor=learner, learner=learner, course=course)

    assert (result.created, result.changed) == (True, True)
    enrollment = result.enrollment
    assert (enrollment.user, enrollment.course) == (learner, course)
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    assert Enrollment.objects.filter(course=course).count() == 1
    [row] = audit_trail(learner, course)
    assert row.transition == Transition.UNENROLLED_TO_ENROLLED == "from unenrolled to enrolled"
    assert (row.actor, row.role, row.email) == (learner, "learner", learner.email)
    assert row.enrollment == enrollment
    assert (row.track_before, row.track_after, row.reason) == ("", "audit", "")


@pytest.mark.parametrize(
    ("offered", "requested", "expected_track"),
    [
        ((), None, "audit"),  # nothing configured: the virtual audit track
        ((), "audit", "audit"),
        (("audit",), None, "audit"),
        (("audit", "honor"), None, "audit"),
        (("audit", "honor"), "honor", "honor"),
        (("audit", "honor"), "audit", "audit"),
        (("honor",), None, "honor"),
        (("audit", "verified"), None, "audit"),
        (("honor", "verified"), None, "honor"),
    ],
)
def test_learner_lands_on(offered, requested, expected_track, learner):
    course = _course_offering(*offered)

    result = enrollment_create(actor=learner, learner=learner, course=course, track=requested)

    assert result.enrollment.track == expected_track
    assert result.enrollment.is_active is True


@pytest.mark.parametrize(
    ("offered", "requested", "error", "code", "field", "message"),
    [
        (
            ("audit", "verified"),
            "verified",
            PermissionDenied,
            "track_requires_payment",
            "track",
            "Verified is a paid track ($49.00); you cannot enroll on it without paying.",
        ),
        (
            ("professional",),
            "professional",
            PermissionDenied,
            "track_requires_payment",
            "track",
            "Professional is a paid track ($49.00); you cannot enroll on it without paying.",
        ),
        (
            ("audit",),
            "honor",
            ValidationFailed,
            "track_not_offered",
            "track",
            "This course does not offer the Honor track.",
        ),
        (
            ("audit",),
            "gold",
            ValidationFailed,
            "unknown_track",
            "track",
            "“gold” is not a track this site knows.",
        ),
        (
            ("professional",),
            None,
            ValidationFailed,
            "no_free_track",
            "track",
            "This course has no free track: enrollment needs a payment or the course team.",
        ),
        (
            ("audit", "credit"),
            "credit",
            PermissionDenied,
            "track_not_selectable",
            "track",
            "The Credit track is assigned by the course team; you cannot choose it yourself.",
        ),
    ],
)
def test_learner_is_refused(offered, requested, error, code, field, message, learner):
    course = _course_offering(*offered)

    with pytest.raises(error) as caught:
        enrollment_create(actor=learner, learner=learner, course=course, track=requested)

    assert caught.value.code == code
    assert caught.value.field == field
    assert caught.value.message.startswith(message)
    assert not Enrollment.objects.filter(course=course).exists()


def test_enrolling_twice_is_a_no_op(course, learner, audit_trail):
    first = enrollment_create(actor=learner, learner=learner, course=course)

    again = enrollment_create(actor=learner, learner=learner, course=course)

    assert (again.created, again.changed) == (False, False)
    assert again.enrollment.pk == first.enrollment.pk
    assert Enrollment.objects.filter(course=course).count() == 1
    assert len(audit_trail(learner, course)) == 1


# ---------------------------------------------------------------------------- window and capacity

OPENS = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
CLOSES = dt.datetime(2026, 4, 30, 17, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (
            OPENS - dt.timedelta(minutes=1),
            "Enrollment in this course opens on 01 March 2026, 09:00 UTC.",
        ),
        (
            CLOSES + dt.timedelta(minutes=1),
            "Enrollment in this course closed on 30 April 2026, 17:30 UTC.",
        ),
    ],
)
def test_learner_cannot_enroll_outside_the_enrollment_window(moment, message, learner):
    course = make_course(enrollment_start=OPENS, enrollment_end=CLOSES)

    with frozen_at(moment), pytest.raises(ValidationFailed) as caught:
        enrollment_create(actor=learner, learner=learner, course=course)

    assert caught.value.code == "enrollment_closed"
    assert caught.value.message == message
    assert not Enrollment.objects.filter(course=course).exists()


@pytest.mark.parametrize("moment", [OPENS, CLOSES])
def test_the_window_includes_its_bounds(moment, learner):
    course = make_course(enrollment_start=OPENS, enrollment_end=CLOSES)

    with frozen_at(moment):
        result = enrollment_create(actor=learner, learner=learner, course=course)

    assert result.enrollment.is_active is True


def test_a_full_course_refuses_the_next_learner_but_not_its_team():
    course = make_course(max_enrollments=2)
    instructor = make_course_team(course, "instructor")
    team_member = make_course_team(course, "staff")
    enrollment_create(actor=instructor, learner=instructor, course=course)
    first, second, third = UserFactory.create_batch(3)
    enrollment_create(actor=first, learner=first, course=course)
    enrollment_create(actor=second, learner=second, course=course)

    with pytest.raises(ValidationFailed) as caught:
        enrollment_create(actor=third, learner=third, course=course)

    assert caught.value.code == "course_full"
    assert caught.value.message == (
        "This course is full: it has reached its maximum number of enrollments."
    )
    assert not Enrollment.objects.filter(user=third, course=course).exists()
    # The team's own enrollments neither count nor are refused.
    enrollment_create(actor=team_member, learner=team_member, course=course)
    assert Enrollment.objects.filter(course=course, is_active=True).count() == 4


# ---------------------------------------------------------------------------- invitation-only


def test_invitation_only_course_refuses_an_uninvited_learner(learner):
    course = make_course(invitation_only=True)

    with pytest.raises(PermissionDenied) as caught:
        enrollment_create(actor=learner, learner=learner, course=course)

    assert caught.value.code == "invitation_only"
    assert caught.value.message == (
        "This course is by invitation only. Ask the course team for an invitation."
    )
    assert not Enrollment.objects.filter(course=course).exists()


def test_invited_learner_may_enroll_and_the_invitation_is_linked(learner):
    course = make_course(invitation_only=True)
    staff = make_course_team(course, "staff")
    invitation = invitation_create(
        actor=staff, course=course, email=learner.email.upper(), auto_enroll=False
    )

    result = enrollment_create(actor=learner, learner=learner, course=course)

    assert result.enrollment.is_active is True
    invitation.refresh_from_db()
    assert invitation.user == learner
    assert Invitation.objects.filter(course=course).count() == 1


# ---------------------------------------------------------------------------- course team


@pytest.mark.parametrize(
    ("actor_kind", "role"),
    [
        ("staff", "staff"),
        ("instructor", "instructor"),
        ("global", "global_staff"),
        ("system", "system"),
    ],
)
def test_course_team_enrolls_a_learner_past_window_capacity_and_invitations(
    actor_kind, role, learner, audit_trail
):
    course = make_course(
        enrollment_start=OPENS, enrollment_end=CLOSES, invitation_only=True, max_enrollments=0
    )
    actor = {
        "staff": lambda: make_course_team(course, "staff"),
        "instructor": lambda: make_course_team(course, "instructor"),
        "global": lambda: UserFactory(is_staff=True),
        "system": lambda: None,
    }[actor_kind]()

    with frozen_at(CLOSES + dt.timedelta(days=30)):
        result = enrollment_create(actor=actor, learner=learner, course=course)

    assert (result.enrollment.track, result.enrollment.is_active) == ("audit", True)
    [row] = audit_trail(learner, course)
    assert (row.actor, row.role) == (actor, role)
    assert row.transition == Transition.UNENROLLED_TO_ENROLLED


def test_staff_needs_a_reason_to_put_a_learner_on_a_paid_track(learner, audit_trail):
    course = _course_offering("audit", "verified")
    staff = make_course_team(course, "staff")

    with pytest.raises(ValidationFailed) as caught:
        enrollment_create(actor=staff, learner=learner, course=course, track="verified", reason=" ")

    assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
    assert caught.value.message.startswith("Give a reason: Verified is a paid track")
    assert not Enrollment.objects.filter(course=course).exists()

    result = enrollment_create(
        actor=staff, learner=learner, course=course, track="verified", reason="  Scholarship  "
    )

    assert (result.enrollment.track, result.enrollment.is_active) == ("verified", True)
    [row] = audit_trail(learner, course)
    assert (row.reason, row.role, row.actor) == ("Scholarship", "staff", staff)
    assert (row.track_before, row.track_after) == ("", "verified")


def test_a_learner_cannot_enroll_someone_else(course, learner):
    other = UserFactory()

    with pytest.raises(PermissionDenied) as caught:
        enrollment_create(actor=learner, learner=other, course=course)

    assert caught.value.code == "not_course_staff"
    assert caught.value.message == "You can only enroll yourself."
    assert not Enrollment.objects.filter(course=course).exists()


def test_staff_of_another_course_cannot_enroll_a_learner_here(course, learner):
    elsewhere = make_course_team(make_course(), "instructor")

    with pytest.raises(PermissionDenied) as caught:
        enrollment_create(actor=elsewhere, learner=learner, course=course)

    assert caught.value.code == "not_course_staff"
    assert not Enrollment.objects.filter(course=course).exists()
