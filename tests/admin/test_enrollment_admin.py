"""Enrollments, invitations and the audit trail in the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAudit,
    Invitation,
    Transition,
)
from enrollment_tracks.enrollments.services import enrollment_create
from tests.admin.conftest import form_row, row_has_errors
from tests.factories import UserFactory, enable_paid_tracks, make_course, make_track
from tests.web.markup import page

ADD = reverse("admin:enrollments_enrollment_add")


@pytest.fixture
def course():
    course = make_course(title="Admin course")
    make_track(course, "audit")
    make_track(course, "honor")
    return course


def test_add_form_loads(admin_client):
    assert admin_client.get(ADD).status_code == 200


def test_adding_an_enrollment_creates_it_with_an_audit_row(
    admin_client, superuser, course, learner
):
    response = admin_client.post(
        ADD,
        {"user": learner.pk, "course": course.pk, "track": "honor", "reason": "Sponsored seat"},
    )

    assert response.status_code == 302
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert (enrollment.track, enrollment.is_active) == ("honor", True)
    audit = EnrollmentAudit.objects.get(enrollment=enrollment)
    assert audit.actor == superuser
    assert audit.role == "global_staff"
    assert audit.transition == Transition.UNENROLLED_TO_ENROLLED
    assert (audit.track_before, audit.track_after) == ("", "honor")
    assert audit.reason == "Sponsored seat"


def test_adding_without_a_track_uses_the_default(admin_client, course, learner):
    response = admin_client.post(ADD, {"user": learner.pk, "course": course.pk, "track": ""})

    assert response.status_code == 302
    assert Enrollment.objects.get(user=learner).track == "audit"


def test_a_paid_track_needs_a_reason(admin_client, course, learner):
    enable_paid_tracks()
    make_track(course, "verified", price=49)

    response = admin_client.post(
        ADD, {"user": learner.pk, "course": course.pk, "track": "verified", "reason": ""}
    )

    assert response.status_code == 200
    root = page(response)
    assert row_has_errors(root, "reason")
    assert "Give a reason: Verified is a paid track" in form_row(root, "reason")
    assert not Enrollment.objects.exists()
    assert not EnrollmentAudit.objects.exists()


def test_a_track_the_course_does_not_offer_is_refused(admin_client, course, learner):
    response = admin_client.post(
        ADD, {"user": learner.pk, "course": course.pk, "track": "professional"}
    )

    assert response.status_code == 200
    assert "This course does not offer the Professional track." in form_row(page(response), "track")
    assert not Enrollment.objects.exists()


def test_adding_an_existing_enrollment_is_not_an_error(admin_client, course, learner):
    enrollment_create(actor=learner, learner=learner, course=course, track="honor")

    response = admin_client.post(ADD, {"user": learner.pk, "course": course.pk, "track": "honor"})

    assert response.status_code == 302
    assert Enrollment.objects.filter(user=learner).count() == 1
    assert EnrollmentAudit.objects.filter(learner=learner).count() == 1


@pytest.fixture
def enrollment(course, learner):
    return enrollment_create(
        actor=learner, learner=learner, course=course, track="honor"
    ).enrollment


def change_url(enrollment) -> str:
    return reverse("admin:enrollments_enrollment_change", args=[enrollment.pk])


def test_unticking_active_unenrolls_with_an_audit_row(admin_client, superuser, enrollment):
    response = admin_client.post(
        change_url(enrollment), {"track": "honor", "reason": "Asked to leave"}
    )  # an unticked checkbox is not posted

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.is_active, enrollment.track) == (False, "honor")
    audit = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert audit.transition == Transition.ENROLLED_TO_UNENROLLED
    assert (audit.actor, audit.reason) == (superuser, "Asked to leave")
    assert EnrollmentAudit.objects.filter(enrollment=enrollment).count() == 2


def test_ticking_active_again_re_enrolls(admin_client, superuser, enrollment, course, learner):
    admin_client.post(change_url(enrollment), {"track": "honor"})

    response = admin_client.post(change_url(enrollment), {"track": "honor", "is_active": "on"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.is_active is True
    latest = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert (latest.transition, latest.actor) == (Transition.UNENROLLED_TO_ENROLLED, superuser)


def test_changing_the_track_in_the_admin(admin_client, superuser, enrollment):
    response = admin_client.post(change_url(enrollment), {"track": "audit", "is_active": "on"})

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    latest = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert latest.transition == Transition.ENROLLED_TO_ENROLLED
    assert (latest.track_before, latest.track_after, latest.actor) == ("honor", "audit", superuser)


def test_saving_unchanged_writes_no_audit_row(admin_client, enrollment):
    response = admin_client.post(change_url(enrollment), {"track": "honor", "is_active": "on"})

    assert response.status_code == 302
    assert EnrollmentAudit.objects.filter(enrollment=enrollment).count() == 1


def test_enrollments_cannot_be_deleted(admin_client, enrollment):
    delete = reverse("admin:enrollments_enrollment_delete", args=[enrollment.pk])

    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:enrollments_enrollment_changelist"))
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_audit_rows_are_read_only(admin_client, enrollment):
    audit = EnrollmentAudit.objects.get(enrollment=enrollment)
    change = reverse("admin:enrollments_enrollmentaudit_change", args=[audit.pk])

    assert admin_client.get(change).status_code == 200
    response = admin_client.post(change, {"reason": "rewritten", "transition": "N/A"})

    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.reason == ""
    assert admin_client.get(reverse("admin:enrollments_enrollmentaudit_add")).status_code == 403
    delete = reverse("admin:enrollments_enrollmentaudit_delete", args=[audit.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert EnrollmentAudit.objects.filter(pk=audit.pk).exists()


def test_inviting_through_the_admin_writes_an_audit_row(admin_client, superuser, course):
    response = admin_client.post(
        reverse("admin:enrollments_invitation_add"),
        {"email": "guest@example.org", "course": course.pk, "auto_enroll": "on", "reason": "VIP"},
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get(course=course)
    assert (invitation.email, invitation.auto_enroll, invitation.created_by) == (
        "guest@example.org",
        True,
        superuser,
    )
    audit = EnrollmentAudit.objects.get(email="guest@example.org")
    assert (audit.transition, audit.actor, audit.reason) == (
        Transition.UNENROLLED_TO_ALLOWEDTOENROLL,
        superuser,
        "VIP",
    )


def test_withdrawing_an_invitation_writes_an_audit_row(admin_client, superuser, course):
    admin_client.post(
        reverse("admin:enrollments_invitation_add"),
        {"email": "guest@example.org", "course": course.pk},
    )
    invitation = Invitation.objects.get()

    response = admin_client.post(
        reverse("admin:enrollments_invitation_delete", args=[invitation.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    latest = EnrollmentAudit.objects.filter(email="guest@example.org").first()
    assert (latest.transition, latest.actor) == (
        Transition.ALLOWEDTOENROLL_TO_UNENROLLED,
        superuser,
    )


def test_a_learner_is_not_let_into_the_admin(client, learner):
    client.force_login(learner)

    response = client.get(reverse("admin:enrollments_enrollment_changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_global_staff_without_model_permissions_sees_no_enrollments(client):
    operator = UserFactory(is_staff=True)
    client.force_login(operator)

    response = client.get(reverse("admin:enrollments_enrollment_changelist"))

    assert response.status_code == 403


def test_inviting_an_invited_email_again_updates_the_invitation(admin_client, course):
    add = reverse("admin:enrollments_invitation_add")
    admin_client.post(add, {"email": "guest@example.org", "course": course.pk})

    response = admin_client.post(
        add, {"email": "Guest@Example.org", "course": course.pk, "auto_enroll": "on"}
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.auto_enroll) == ("guest@example.org", True)
    assert (
        EnrollmentAudit.objects.filter(transition=Transition.UNENROLLED_TO_ALLOWEDTOENROLL).count()
        == 1
    )
