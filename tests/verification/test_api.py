"""The Open edX-compatible status endpoint and our submit endpoint, over HTTP."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from enrollment_tracks.verification.services import attempt_decide
from tests.verification import images
from tests.verification.conftest import submit

SUBMIT = reverse("verification-api:attempt-list")


def status_url(username: str) -> str:
    return reverse("verification-api:status", args=[username])


@pytest.fixture
def api(learner) -> APIClient:
    client = APIClient()
    client.force_login(learner)
    return client


def files(face=None, id_photo=None, **extra):
    data = {
        "face_photo": SimpleUploadedFile(
            "f.jpg", face if face is not None else images.jpeg(), "image/jpeg"
        ),
        "id_photo": SimpleUploadedFile(
            "i.png", id_photo if id_photo is not None else images.png(), "image/png"
        ),
    }
    data.update(extra)
    return data


def test_the_path_is_open_edx_s():
    assert status_url("jane") == "/api/user/v1/accounts/jane/verification_status/"


def test_no_verification_answers_404_as_open_edx_does(api, learner):
    response = api.get(status_url(learner.username))
    assert response.status_code == 404
    assert set(response.json()) >= {"developer_message"}


def test_unknown_user_is_404_for_staff(reviewer):
    client = APIClient()
    client.force_login(reviewer)
    assert client.get(status_url("nobody-here")).status_code == 404


def test_approved_status_body(api, learner):
    submit(learner)
    body = api.get(status_url(learner.username)).json()
    assert body == {
        "is_verified": True,
        "status": "approved",
        "expiration_datetime": "2027-10-01T12:00:00Z",
    }


def test_pending_and_must_reverify(api, learner, manual_mode, reviewer):
    result = submit(learner)
    assert api.get(status_url(learner.username)).json() == {
        "is_verified": False,
        "status": "pending",
        "expiration_datetime": None,
    }
    attempt_decide(
        public_id=result.attempt_id, actor=reviewer, decision="deny", reason="Not readable"
    )
    assert api.get(status_url(learner.username)).json()["status"] == "must_reverify"


def test_submit_answers_201_then_200_for_the_same_key(api):
    first = api.post(SUBMIT, files(submission_key="abc"), format="multipart")
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "approved"
    assert body["review_mode"] == "automatic"
    assert "not compared" in body["decision_reason"]
    assert set(body) == {
        "id", "status", "review_mode", "submitted_at", "decided_at", "expires_at",
        "decision_reason", "photos_deleted",
    }  # fmt: skip
    again = api.post(SUBMIT, files(submission_key="abc"), format="multipart")
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_submit_while_pending_is_409(api, manual_mode):
    assert api.post(SUBMIT, files(), format="multipart").status_code == 201
    response = api.post(SUBMIT, files(), format="multipart")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "verification_pending"


@pytest.mark.parametrize(
    ("face", "id_photo", "field", "code"),
    [
        (images.PDF, None, "face_photo", "photo_not_image"),
        (None, images.SVG, "id_photo", "photo_not_image"),
        (None, b"", "id_photo", "photo_empty"),
        (None, images.truncated_jpeg(), "id_photo", "photo_corrupt"),
    ],
)
def test_submit_refuses_bad_photos_naming_the_field(api, face, id_photo, field, code):
    response = api.post(SUBMIT, files(face, id_photo), format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["field"], error["code"]) == (field, code)


def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    status = schema["paths"]["/api/user/v1/accounts/{username}/verification_status/"]["get"]
    assert "openedx-compatible" in status["tags"]
    assert "IsStaffOrOwner" in status["description"].split("**Permissions**")[1]
    post = schema["paths"]["/api/verification/v1/attempts/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert "**Permissions**: any signed-in user" in post["description"]
    assert post["responses"]["201"]["content"]["application/json"]["examples"]
