"""Open edX's students_update_enrollment, over HTTP: shapes field by field, as Open edX answers."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAudit,
    Invitation,
    Transition,
)
from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from enrollment_tracks.membership.models import JobSource, JobStatus, MembershipJob
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.notifications.models import OutboxMessage
from tests.factories import UserFactory
from tests.membership.conftest import compat_url

NOBODY = {"user": False, "enrollment": False, "allowed": False, "auto_enroll": False}
REGISTERED = {**NOBODY, "user": True}
ENROLLED = {**REGISTERED, "enrollment": True}


@pytest.fixture
def staff_api(api, course_staff):
    return api(course_staff)


def post(client, course, identifiers, action="enroll", fmt=None, **fields):
    data = {"action": action, "identifiers": identifiers, **fields}
    return client.post(compat_url(course), data, format=fmt)


def only_result(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["results"]) == 1
    return body["results"][0]


def test_enroll_existing_user_by_username(staff_api, course, learner):
    response = post(staff_api, course, learner.username)

    assert response.status_code == 200
    assert response.json() == {
        "action": "enroll",
        "auto_enroll": False,
        "results": [
            {
                "identifier": learner.username,
                "before": REGISTERED,
                "after": ENROLLED,
                "success": True,
                "state_transition": "from unenrolled to enrolled",
            }
        ],
    }
    assert Enrollment.objects.get(user=learner, course=course).is_active
    job = MembershipJob.objects.get()
    assert (job.source, job.status) == (JobSource.COMPAT, JobStatus.SUCCEEDED)


def test_enroll_existing_user_by_email_json(staff_api, course, learner):
    result = only_result(post(staff_api, course, learner.email, fmt="json"))

    assert result == {
        "identifier": learner.email,
        "before": REGISTERED,
        "after": ENROLLED,
        "success": True,
        "state_transition": "from unenrolled to enrolled",
    }


@pytest.mark.parametrize("auto_enroll", [True, False])
def test_enroll_unknown_email_invites(staff_api, course, auto_enroll):
    response = post(staff_api, course, "new.person@example.org", auto_enroll=str(auto_enroll))

    assert response.json()["auto_enroll"] is auto_enroll
    assert only_result(response) == {
        "identifier": "new.person@example.org",
        "before": NOBODY,
        "after": {**NOBODY, "allowed": True, "auto_enroll": auto_enroll},
        "success": True,
        "state_transition": "from unenrolled to allowed to enroll",
    }
    invitation = Invitation.objects.get(course=course)
    assert (invitation.email, invitation.auto_enroll) == ("new.person@example.org", auto_enroll)


@pytest.mark.parametrize("identifier", ["bad!id", "not-an-email@", "nobody_here"])
def test_invalid_identifier(staff_api, course, identifier):
    """Open edX treats an unknown username as an email address, which then fails validation."""
    assert only_result(post(staff_api, course, identifier)) == {
        "identifier": identifier,
        "invalidIdentifier": True,
        "success": False,
        "error_type": "invalid_identifier",
        "error_message": "Invalid email address",
    }


def test_unenroll_not_enrolled_user(staff_api, course, learner):
    result = only_result(post(staff_api, course, learner.username, action="unenroll"))

    assert result == {
        "identifier": learner.username,
        "before": REGISTERED,
        "after": REGISTERED,
        "success": True,
        "state_transition": "from unenrolled to unenrolled",
    }


def test_unenroll_enrolled_user_and_invitation(staff_api, course, course_staff, learner):
    enrollment_create(actor=course_staff, learner=learner, course=course)
    post(staff_api, course, "invited@example.org")

    response = post(staff_api, course, f"{learner.email}\ninvited@example.org", action="unenroll")

    assert response.json()["results"] == [
        {
            "identifier": learner.email,
            "before": ENROLLED,
            "after": REGISTERED,
            "success": True,
            "state_transition": "from enrolled to unenrolled",
        },
        {
            "identifier": "invited@example.org",
            "before": {**NOBODY, "allowed": True},
            "after": NOBODY,
            "success": True,
            "state_transition": "from allowed to enroll to unenrolled",
        },
    ]
    assert not Enrollment.objects.get(user=learner, course=course).is_active
    assert not Invitation.objects.filter(course=course).exists()


def test_enroll_already_enrolled_user(staff_api, course, course_staff, learner):
    enrollment_create(actor=course_staff, learner=learner, course=course)

    result = only_result(post(staff_api, course, learner.username))

    assert result["before"] == ENROLLED
    assert result["after"] == ENROLLED
    assert result["state_transition"] == "from enrolled to enrolled"


def test_enroll_registered_user_who_was_invited_audits_allowed_to_enrolled(
    staff_api, course, course_staff, learner
):
    """Open edX: a learner with an enrollment-allowed row goes from allowed to enroll."""
    invitation_create(actor=course_staff, course=course, email=learner.email, auto_enroll=False)

    result = only_result(post(staff_api, course, learner.email))

    assert result["state_transition"] == "from allowed to enroll to enrolled"
    audit = EnrollmentAudit.objects.filter(learner=learner, batch_job_id__isnull=False).get()
    assert audit.transition == Transition.ALLOWEDTOENROLL_TO_ENROLLED


def test_enroll_inactive_account_gets_an_invitation(staff_api, course):
    """Open edX enrolls active accounts only and invites an inactive one (enrolled once active)."""
    sleeper = UserFactory(is_active=False)

    result = only_result(post(staff_api, course, sleeper.username, auto_enroll="true"))

    assert result == {
        "identifier": sleeper.username,
        "before": REGISTERED,
        "after": {**REGISTERED, "allowed": True, "auto_enroll": True},
        "success": True,
        "state_transition": "N/A",
    }
    assert not Enrollment.objects.filter(course=course).exists()
    assert Invitation.objects.get(course=course).email == sleeper.email


def test_unenroll_inactive_enrolled_account_by_email(staff_api, course, course_staff, learner):
    enrollment_create(actor=course_staff, learner=learner, course=course)
    learner.is_active = False
    learner.save(update_fields=["is_active"])

    result = only_result(post(staff_api, course, learner.email, action="unenroll"))

    assert (result["before"], result["after"]) == (ENROLLED, REGISTERED)
    assert result["state_transition"] == "from enrolled to unenrolled"
    assert not Enrollment.objects.get(user=learner, course=course).is_active


def test_results_keep_input_order_and_repeat_duplicates(staff_api, course, learner):
    """Duplicates are collapsed by the job; each still gets its first occurrence's result."""
    text = f"{learner.username}, bad!id\n{learner.email.upper()} {learner.username} bad!id"

    results = post(staff_api, course, text).json()["results"]

    assert [r["identifier"] for r in results] == [
        learner.username,
        "bad!id",
        learner.email.upper(),
        learner.username,
        "bad!id",
    ]
    first = {key: value for key, value in results[0].items() if key != "identifier"}
    for duplicate in (results[2], results[3]):
        assert {k: v for k, v in duplicate.items() if k != "identifier"} == first
    assert results[4] == {**results[1], "identifier": "bad!id"}
    assert first["state_transition"] == "from unenrolled to enrolled"
    assert Enrollment.objects.filter(course=course).count() == 1


def test_email_students_queues_notifications(staff_api, course, learner):
    post(staff_api, course, f"{learner.username} someone@example.org", email_students="true")

    assert set(OutboxMessage.objects.values_list("message_type", flat=True)) == {
        "enrolled_enroll",
        "allowed_enroll",
    }


def test_no_notification_by_default(staff_api, course, learner):
    post(staff_api, course, learner.username)

    assert not OutboxMessage.objects.exists()


def test_reason_is_stored_on_the_job(staff_api, course, learner):
    post(staff_api, course, learner.username, reason="Moving the cohort")

    assert MembershipJob.objects.get().reason == "Moving the cohort"


def test_no_cache_headers(staff_api, course, learner):
    response = post(staff_api, course, learner.username)

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate"} <= cache_control


# ------------------------------------------------------------------------------ async


def test_long_list_runs_as_a_job(settings, staff_api, course):
    settings.MEMBERSHIP_SYNC_LIMIT = 2
    text = "a@example.org b@example.org c@example.org"

    response = post(staff_api, course, text, action="enroll")

    job = MembershipJob.objects.get()
    assert response.status_code == 200
    assert response.json() == {
        "action": "enroll",
        "auto_enroll": False,
        "async_processing": True,
        "task_id": str(job.pk),
        "task_state": "queued",
        "message": "Async enroll task submitted for 3 students",
        "total_students": 3,
    }
    assert (job.status, job.source, job.total) == (JobStatus.QUEUED, JobSource.COMPAT, 3)
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(job.pk)]).count() == 1
    assert not Invitation.objects.exists()  # nothing changed until the worker runs it

    assert job_run(job.pk) == JobStatus.SUCCEEDED
    assert Invitation.objects.filter(course=course).count() == 3


def test_async_processing_flag_forces_a_job(staff_api, course, learner):
    response = post(staff_api, course, learner.username, async_processing="true")

    body = response.json()
    assert body["async_processing"] is True
    assert body["message"] == "Async enroll task submitted for 1 students"
    assert body["task_state"] == "queued"
    assert not Enrollment.objects.filter(user=learner).exists()


# ----------------------------------------------------------------------------- errors


def test_invalid_action_is_400_with_a_message(staff_api, course, learner):
    response = post(staff_api, course, learner.username, action="promote")

    assert response.status_code == 400
    assert response.json() == {
        "developer_message": "Unrecognized action 'promote'",
        "error_code": "invalid_choice",
        "field_errors": {"action": {"developer_message": "Unrecognized action 'promote'"}},
    }


def test_missing_identifiers_is_400(staff_api, course):
    response = staff_api.post(compat_url(course), {"action": "enroll"})

    assert response.status_code == 400
    assert response.json()["error_code"] == "required"
    assert "identifiers" in response.json()["field_errors"]


def test_blank_identifiers_is_400(staff_api, course):
    response = post(staff_api, course, " , \n")

    assert response.status_code == 400
    assert response.json() == {
        "developer_message": "Give at least one email address or username.",
        "error_code": "empty",
        "field_errors": {
            "identifiers": {"developer_message": "Give at least one email address or username."}
        },
    }


def test_too_many_identifiers_is_400(settings, staff_api, course):
    settings.MEMBERSHIP_MAX_IDENTIFIERS = 2

    response = post(staff_api, course, "a@example.org b@example.org c@example.org")

    assert response.status_code == 400
    assert response.json()["error_code"] == "too_many_identifiers"
    assert not MembershipJob.objects.exists()


def test_unknown_course_is_404(staff_api, course):
    response = staff_api.post(
        "/courses/course-v1:Nope+N1+2026/instructor/api/students_update_enrollment",
        {"action": "enroll", "identifiers": "x@example.org"},
    )

    assert response.status_code == 404
    assert response.json()["error_code"] == "course_not_found"


def test_get_is_not_allowed(staff_api, course):
    assert staff_api.get(compat_url(course)).status_code == 405
