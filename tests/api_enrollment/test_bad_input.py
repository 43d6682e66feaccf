"""Bad input never answers 500: CSRF, content types, malformed JSON, odd values in every field,
oversized bodies, fields a caller may not set."""

from __future__ import annotations

import pytest
from django.conf import settings

from enrollment_tracks.core.request_size import SMALL_BODY_BYTES
from enrollment_tracks.enrollments.models import Enrollment, Invitation
from tests.api_enrollment.conftest import ALLOWED, ENROLLMENT, KEY, enroll, post_json, with_csrf

COURSE = {"course_details": {"course_id": KEY}}


def test_session_writes_need_the_csrf_token(api, learner, course):
    client = api(learner, enforce_csrf_checks=True)
    client.get(ENROLLMENT)  # as a browser page would: the GET sets the CSRF cookie

    refused = post_json(client, ENROLLMENT, COURSE)
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies[settings.CSRF_COOKIE_NAME].value)
    accepted = post_json(client, ENROLLMENT, COURSE)

    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF Failed: CSRF token missing."}
    assert accepted.status_code == 200
    assert Enrollment.objects.count() == 1


def test_a_forged_csrf_token_is_refused(api, learner, course):
    client = with_csrf(api(learner, enforce_csrf_checks=True))
    client.credentials(HTTP_X_CSRFTOKEN="x" * 64)

    response = post_json(client, ENROLLMENT, COURSE)

    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert not Enrollment.objects.exists()


def test_csrf_applies_to_enrollment_allowed_too(api, global_staff, course):
    client = api(global_staff, enforce_csrf_checks=True)

    response = post_json(client, ALLOWED, {"email": "a@example.org", "course_id": KEY})

    assert response.status_code == 403


@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("application/x-www-form-urlencoded", "course_details=x"),
        ("text/plain", "course-v1:edX+DemoX+Demo_Course"),
        ("application/xml", "<enroll/>"),
    ],
)
def test_post_accepts_json_only(learner_api, course, content_type, data):
    response = learner_api.post(ENROLLMENT, data=data, content_type=content_type)

    assert response.status_code == 415
    assert response.json() == {"detail": f'Unsupported media type "{content_type}" in request.'}


def test_malformed_json_is_400(learner_api, course):
    response = learner_api.post(ENROLLMENT, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        42,
        None,
        {"course_details": [KEY]},
        {"course_details": {"course_id": [KEY]}},
        {"course_details": {"course_id": {"key": KEY}}},
        {**COURSE, "user": 5},
        {**COURSE, "user": ["a"]},
        {**COURSE, "user": {"a": 1}},
        {**COURSE, "email": ["x"]},
        {**COURSE, "mode": ["audit"]},
        {**COURSE, "mode": {"slug": "audit"}},
        {**COURSE, "mode": ""},
        {**COURSE, "is_active": None, "mode": None},
        {**COURSE, "enrollment_attributes": "order"},
        {**COURSE, "enrollment_attributes": [1, 2]},
        {**COURSE, "enrollment_attributes": {"namespace": "a", "name": "b", "value": "c"}},
        {**COURSE, "enrollment_attributes": [{"namespace": {}, "name": "b", "value": "c"}]},
        {**COURSE, "enrollment_attributes": [{"namespace": "a", "name": "b", "value": "c" * 300}]},
        {**COURSE, "cohort": None, "email_opt_in": "x", "enterprise_uuid": {}},
        {**COURSE, "force_enrollment": None, "reason": ["x"]},
    ],
)
@pytest.mark.parametrize("who", ["learner", "staff"])
def test_odd_bodies_never_answer_500(api, learner, global_staff, course, body, who):
    client = api(learner if who == "learner" else global_staff)

    response = post_json(client, ENROLLMENT, body)

    assert response.status_code < 500, response.content
    assert response.status_code in {200, 400, 403, 404, 406}


def test_a_staff_attribute_too_long_is_400(staff_api, learner, course):
    attribute = {"namespace": "order", "name": "order_number", "value": "x" * 256}

    response = enroll(staff_api, user=learner.username, enrollment_attributes=[attribute])

    assert response.status_code == 400
    message = "An enrollment attribute's value has at most 255 characters."
    assert response.json() == {"message": message, "localizedMessage": message}
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "query",
    [{"user": "x" * 500}, {"user": "a,b"}, {"user": "\u00e9\u00e8"}],
)
def test_odd_queries_never_answer_500(learner_api, query):
    assert learner_api.get(ENROLLMENT, query).status_code == 400


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405(learner_api, method):
    response = getattr(learner_api, method)(ENROLLMENT)

    assert response.status_code == 405
    assert set(response.json()) == {"detail"}


def test_an_oversized_json_body_is_413_and_changes_nothing(staff_api, learner, course):
    body = {**COURSE, "user": learner.username, "reason": "x" * SMALL_BODY_BYTES}

    response = post_json(staff_api, ENROLLMENT, body)

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: this endpoint accepts at most "
        f"{SMALL_BODY_BYTES} bytes."
    }
    assert not Enrollment.objects.exists()


def test_a_body_over_the_sites_limit_is_413_too(settings, staff_api, learner, course):
    """Over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` Django itself refuses the body: still a 413."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000

    response = post_json(staff_api, ENROLLMENT, {**COURSE, "reason": "x" * 2_000})

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is too large: this endpoint accepts at most 1000 bytes."
    }
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_an_oversized_invitation_form_is_413(staff_api, course, method):
    """Refused before the session's CSRF check reads the form."""
    form = f"email=a%40example.org&course_id={KEY}&note=" + "x" * SMALL_BODY_BYTES

    response = getattr(staff_api, method)(
        ALLOWED, data=form, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert set(response.json()) == {"detail"}
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_invitations_take_json_or_forms_only(staff_api, course, method):
    response = getattr(staff_api, method)(
        ALLOWED, data=f"a@example.org {KEY}", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "text/plain" in request.'}
    assert not Invitation.objects.exists()


def test_an_invitation_ignores_a_user_in_the_body(staff_api, learner, course):
    """``user`` is who later enrolled with the invitation: the caller cannot set it."""
    response = post_json(
        staff_api, ALLOWED, {"email": "new@example.org", "course_id": KEY, "user": learner.pk}
    )

    assert (response.status_code, response.json()["user"]) == (201, None)
    assert Invitation.objects.get().user_id is None
