"""Who may use each page and endpoint, as a table: anonymous, the learner who owns the attempt,
another learner, course staff, global staff without the review permission, a reviewer."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from enrollment_tracks.verification.models import AttemptEvent, EventKind, VerificationAttempt
from tests.factories import UserFactory
from tests.verification import images
from tests.verification.conftest import submit

ROLES = ["anonymous", "owner", "other_learner", "course_staff", "plain_staff", "reviewer"]
LOGIN = "login"


@pytest.fixture
def people(learner, other_learner, course_staff, staff_without_permission, reviewer):
    return {
        "anonymous": None,
        "owner": learner,
        "other_learner": other_learner,
        "course_staff": course_staff,
        "plain_staff": staff_without_permission,
        "reviewer": reviewer,
    }


@pytest.fixture
def attempt(learner, manual_mode):
    return submit(learner).attempt_id


def outcome(response) -> object:
    if response.status_code == 302 and response["Location"].startswith(reverse("web:login")):
        return LOGIN
    return response.status_code


PAGES = {
    # name: (method, url builder, expected per role)
    "start": ("get", lambda a: reverse("verification:start"), [LOGIN, 200, 200, 200, 200, 200]),
    "photos": ("get", lambda a: reverse("verification:photos"), [LOGIN, 200, 200, 200, 200, 200]),
    "status": ("get", lambda a: reverse("verification:status"), [LOGIN, 200, 200, 200, 200, 200]),
    "attempt": (
        "get",
        lambda a: reverse("verification:attempt", args=[a]),
        [LOGIN, 200, 404, 404, 404, 404],
    ),
    "review-queue": (
        "get",
        lambda a: reverse("verification:review-queue"),
        [LOGIN, 403, 403, 403, 403, 200],
    ),
    "review-detail": (
        "get",
        lambda a: reverse("verification:review-detail", args=[a]),
        [LOGIN, 403, 403, 403, 403, 200],
    ),
    "review-photo": (
        "get",
        lambda a: reverse("verification:review-photo", args=[a, "face"]),
        [LOGIN, 403, 403, 403, 403, 200],
    ),
    "review-decide": (
        "post",
        lambda a: reverse("verification:review-decide", args=[a]),
        [LOGIN, 403, 403, 403, 403, 302],
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_pages(login, people, attempt, page, role):
    method, url, expected = PAGES[page]
    client = login(people[role])
    data = {"decision": "approve"} if method == "post" else None
    response = (
        getattr(client, method)(url(attempt), data)
        if data
        else getattr(client, method)(url(attempt))
    )
    assert outcome(response) == expected[ROLES.index(role)]
    viewed = AttemptEvent.objects.filter(kind=EventKind.PHOTO_VIEWED)
    if page == "review-photo":
        assert viewed.count() == (1 if role == "reviewer" else 0)
    decided = VerificationAttempt.objects.get(public_id=attempt).status == "approved"
    assert decided == (page == "review-decide" and role == "reviewer")


def test_a_photo_view_records_who_looked_and_when_and_is_never_cached(login, reviewer, attempt):
    response = login(reviewer).get(reverse("verification:review-photo", args=[attempt, "id"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    event = AttemptEvent.objects.get(kind=EventKind.PHOTO_VIEWED)
    assert (event.actor, event.photo_kind, event.attempt.public_id) == (reviewer, "id", attempt)
    assert event.at is not None


def api_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


STATUS_EXPECTED = [403, 200, 403, 403, 200, 200]
DETAIL_EXPECTED = [403, 200, 404, 404, 404, 404]


@pytest.mark.parametrize("role", ROLES)
def test_open_edx_status_endpoint(people, learner, attempt, role):
    url = reverse("verification-api:status", args=[learner.username])
    assert api_for(people[role]).get(url).status_code == STATUS_EXPECTED[ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
def test_attempt_detail_endpoint(people, attempt, role):
    url = reverse("verification-api:attempt-detail", args=[attempt])
    assert api_for(people[role]).get(url).status_code == DETAIL_EXPECTED[ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
def test_submit_endpoint_is_for_any_signed_in_learner_for_themselves(people, role):
    response = api_for(people[role]).post(
        reverse("verification-api:attempt-list"),
        {
            "face_photo": SimpleUploadedFile("f.jpg", images.jpeg(), "image/jpeg"),
            "id_photo": SimpleUploadedFile("i.png", images.png(), "image/png"),
        },
        format="multipart",
    )
    if role == "anonymous":
        assert response.status_code == 403
        assert VerificationAttempt.objects.count() == 0
    else:
        assert response.status_code == 201
        assert VerificationAttempt.objects.get().user == people[role]


def test_the_submit_endpoint_enforces_csrf_for_sessions():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post(
        reverse("verification-api:attempt-list"),
        {"face_photo": SimpleUploadedFile("f.jpg", images.jpeg(), "image/jpeg")},
        format="multipart",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_verification_answers_are_never_cached(login, learner, reviewer, attempt):
    owner, staff = login(learner), login(reviewer)
    answers = [
        owner.get(reverse("verification:start")),
        owner.get(reverse("verification:photos")),
        owner.get(reverse("verification:status")),
        owner.get(reverse("verification:attempt", args=[attempt])),
        owner.get(reverse("verification-api:status", args=[learner.username])),
        owner.get(reverse("verification-api:attempt-detail", args=[attempt])),
        staff.get(reverse("verification:review-queue")),
        staff.get(reverse("verification:review-detail", args=[attempt])),
        staff.get(reverse("verification:review-photo", args=[attempt, "face"])),
    ]
    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert all("no-store" in answer["Cache-Control"] for answer in answers)
