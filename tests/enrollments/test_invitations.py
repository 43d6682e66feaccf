"""Invitations (Open edX's enrollment-allowed): creating, withdrawing and redeeming them."""

from __future__ import annotations

import pytest

from enrollment_tracks.accounts.services import user_register
from enrollment_tracks.core.errors import PermissionDenied, ValidationFailed
from enrollment_tracks.courses.services import course_role_revoke
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Invitation, Transition
from enrollment_tracks.enrollments.services import (
    enrollment_create,
    invitation_create,
    invitation_delete,
)
from enrollment_tracks.tracks.services import course_default_track_pin
from tests.factories import (
    PASSWORD,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

pytestmark = pytest.mark.django_db

EMAIL = "ada.lovelace@example.org"


def _invitation_audit(course) -> list[EnrollmentAudit]:
    return list(EnrollmentAudit.objects.filter(course=course).order_by("created_at", "id"))


def test_staff_invites_an_email(course, staff):
    invitation = invitation_create(
        actor=staff, course=course, email=f"  {EMAIL} ", auto_enroll=True, reason="Cohort 2026"
    )

    assert (invitation.email, invitation.auto_enroll) == (EMAIL, True)
    assert (invitation.course, invitation.created_by, invitation.user) == (course, staff, None)
    [row] = _invitation_audit(course)
    assert row.transition == Transition.UNENROLLED_TO_ALLOWEDTOENROLL
    assert row.transition == "from unenrolled to allowed to enroll"
    assert (row.email, row.learner, row.enrollment) == (EMAIL, None, None)
    assert (row.actor, row.role, row.reason) == (staff, "staff", "Cohort 2026")


def test_inviting_the_same_email_again_returns_the_same_invitation(course, staff):
    first = invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=False)

    again = invitation_create(actor=staff, course=course, email=EMAIL.upper(), auto_enroll=True)

    assert again.pk == first.pk
    assert again.auto_enroll is True
    assert Invitation.objects.get(pk=first.pk).auto_enroll is True
    assert Invitation.objects.filter(course=course).count() == 1
    assert len(_invitation_audit(course)) == 1


@pytest.mark.parametrize("email", ["not-an-email", "ada@", "", "two@@example.org"])
def test_an_invalid_email_is_refused(email, course, staff):
    with pytest.raises(ValidationFailed) as caught:
        invitation_create(actor=staff, course=course, email=email, auto_enroll=True)

    assert (caught.value.code, caught.value.field) == ("invalid_email", "email")
    assert caught.value.message == f"“{email}” is not a valid email address."
    assert not Invitation.objects.exists()
    assert _invitation_audit(course) == []


@pytest.mark.parametrize("who", ["learner", "staff of another course"])
def test_only_the_course_team_invites(who, course, learner):
    actor = learner if who == "learner" else make_course_team(make_course(), "staff")

    with pytest.raises(PermissionDenied) as caught:
        invitation_create(actor=actor, course=course, email=EMAIL, auto_enroll=True)

    assert caught.value.code == "not_course_staff"
    assert not Invitation.objects.exists()


def test_global_staff_may_invite(course, global_staff):
    invitation = invitation_create(
        actor=global_staff, course=course, email=EMAIL, auto_enroll=False
    )

    assert _invitation_audit(course)[0].role == "global_staff"
    assert invitation.created_by == global_staff


# ---------------------------------------------------------------------------- redeeming


def _register(email: str = EMAIL):
    return user_register(username="ada", email=email, password=PASSWORD, name="Ada Lovelace")


def test_registering_an_auto_enroll_invited_email_enrolls_after_commit(
    course, staff, audit_trail, django_capture_on_commit_callbacks
):
    honor = make_track(course, "honor")
    course_default_track_pin(actor=staff, course=course, track=honor)
    invitation = invitation_create(
        actor=staff, course=course, email=EMAIL, auto_enroll=True, reason="Cohort 2026"
    )

    with django_capture_on_commit_callbacks(execute=True):
        user = _register(EMAIL.upper())
        assert not Enrollment.objects.filter(user=user).exists()

    enrollment = Enrollment.objects.get(user=user, course=course)
    assert (enrollment.track, enrollment.is_active) == ("honor", True)
    [row] = audit_trail(user, course)
    assert row.transition == Transition.ALLOWEDTOENROLL_TO_ENROLLED
    assert row.transition == "from allowed to enroll to enrolled"
    assert (row.reason, row.enrollment, row.email) == ("Cohort 2026", enrollment, user.email)
    assert (row.track_before, row.track_after) == ("", "honor")
    assert (row.actor, row.role) == (staff, "staff")  # the inviter, as Open edX records it
    invitation.refresh_from_db()
    assert invitation.user == user


def test_auto_enroll_by_an_inviter_who_left_the_team_is_recorded_as_the_system(
    course, staff, audit_trail, django_capture_on_commit_callbacks
):
    invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True, reason="Cohort")
    course_role_revoke(course=course, user=staff, role="staff")

    with django_capture_on_commit_callbacks(execute=True):
        user = _register()

    [row] = audit_trail(user, course)
    assert row.transition == Transition.ALLOWEDTOENROLL_TO_ENROLLED
    assert (row.actor, row.role, row.reason) == (None, "system", "Cohort")
    assert Enrollment.objects.get(user=user, course=course).is_active is True


def test_auto_enroll_works_in_a_closed_invitation_only_full_course(
    django_capture_on_commit_callbacks,
):
    course = make_course(invitation_only=True, max_enrollments=0)
    staff = make_course_team(course, "staff")
    invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True)

    with django_capture_on_commit_callbacks(execute=True):
        user = _register()

    assert Enrollment.objects.get(user=user, course=course).is_active is True


def test_an_invitation_without_auto_enroll_only_allows(django_capture_on_commit_callbacks):
    course = make_course(invitation_only=True)
    staff = make_course_team(course, "staff")
    invitation = invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=False)

    with django_capture_on_commit_callbacks(execute=True):
        user = _register()

    assert not Enrollment.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.user is None
    # The invitation still lets them in themselves.
    result = enrollment_create(actor=user, learner=user, course=course)
    assert result.enrollment.is_active is True
    invitation.refresh_from_db()
    assert invitation.user == user


def test_auto_enroll_skips_a_course_without_a_free_track(django_capture_on_commit_callbacks):
    enable_paid_tracks()
    course = make_course()
    make_track(course, "professional", price=100)
    staff = make_course_team(course, "staff")
    invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True)

    with django_capture_on_commit_callbacks(execute=True):
        user = _register()

    assert not Enrollment.objects.filter(user=user).exists()


def test_an_already_enrolled_user_only_gets_the_invitation_linked(
    course, staff, learner, audit_trail, django_capture_on_commit_callbacks
):
    enrollment_create(actor=learner, learner=learner, course=course)
    invitation = invitation_create(
        actor=staff, course=course, email=learner.email, auto_enroll=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        learner.save()

    invitation.refresh_from_db()
    assert invitation.user == learner
    assert len(audit_trail(learner, course)) == 1


# ---------------------------------------------------------------------------- withdrawing


def test_withdrawing_an_invitation(course, staff):
    invitation = invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True)

    invitation_delete(actor=staff, invitation=invitation, reason="Wrong address")

    assert not Invitation.objects.filter(course=course).exists()
    last = _invitation_audit(course)[-1]
    assert last.transition == Transition.ALLOWEDTOENROLL_TO_UNENROLLED
    assert last.transition == "from allowed to enroll to unenrolled"
    assert (last.email, last.actor, last.role, last.reason) == (
        EMAIL,
        staff,
        "staff",
        "Wrong address",
    )
    assert len(_invitation_audit(course)) == 2


def test_only_the_course_team_withdraws_an_invitation(course, staff, learner):
    invitation = invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True)

    with pytest.raises(PermissionDenied) as caught:
        invitation_delete(actor=learner, invitation=invitation)

    assert caught.value.code == "not_course_staff"
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert len(_invitation_audit(course)) == 1


def test_a_withdrawn_invitation_no_longer_auto_enrolls(
    course, staff, django_capture_on_commit_callbacks
):
    invitation = invitation_create(actor=staff, course=course, email=EMAIL, auto_enroll=True)
    invitation_delete(actor=staff, invitation=invitation)

    with django_capture_on_commit_callbacks(execute=True):
        user = _register()

    assert not Enrollment.objects.filter(user=user).exists()
