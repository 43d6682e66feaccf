"""Every "Bad input" item of the issue, through the learner's photo page: the right status, a
message naming the field, and nothing half done (no attempt, no stored object)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment_tracks.verification.models import VerificationAttempt
from tests.verification import images

PHOTOS_URL = reverse("verification:photos")


def post_photos(
    client, *, face: tuple[str, bytes] | None, id_photo: tuple[str, bytes] | None, key="k1"
):
    data: dict[str, object] = {"submission_key": key}
    if face is not None:
        data["face_photo"] = SimpleUploadedFile(face[0], face[1], content_type="image/jpeg")
    if id_photo is not None:
        data["id_photo"] = SimpleUploadedFile(id_photo[0], id_photo[1], content_type="image/jpeg")
    return client.post(PHOTOS_URL, data)


def stored_objects(photo_dir) -> list:
    return [path for path in photo_dir.rglob("*") if path.is_file()] if photo_dir.exists() else []


def assert_refused(response, photo_dir, *, field: str, phrase: str) -> None:
    assert response.status_code == 400
    body = response.content.decode()
    assert f'data-field="{field}"' in body
    label = {"face_photo": "The face photo", "id_photo": "The ID photo"}[field]
    assert label in body
    assert phrase in body
    assert VerificationAttempt.objects.count() == 0
    assert stored_objects(photo_dir) == []


@pytest.fixture
def client(login, learner):
    return login(learner)


@pytest.mark.parametrize(
    ("name", "content"),
    [("passport.jpg", images.PDF), ("face.jpg", images.HTML)],
    ids=["pdf-renamed-jpg", "html-renamed-jpg"],
)
def test_a_document_renamed_jpg_is_refused(client, photo_dir, name, content):
    response = post_photos(client, face=(name, content), id_photo=("id.png", images.png()))
    assert_refused(response, photo_dir, field="face_photo", phrase="not a JPEG or PNG image")


def test_a_truncated_jpeg_is_refused(client, photo_dir):
    response = post_photos(
        client, face=("face.jpg", images.jpeg()), id_photo=("id.jpg", images.truncated_jpeg())
    )
    assert_refused(response, photo_dir, field="id_photo", phrase="damaged or incomplete")


def test_a_zero_byte_file_is_refused(client, photo_dir):
    response = post_photos(client, face=("face.jpg", b""), id_photo=("id.png", images.png()))
    assert_refused(response, photo_dir, field="face_photo", phrase="the file is empty")


def test_a_50_mb_file_is_refused_and_never_kept_whole(client, photo_dir, settings):
    big = images.jpeg() + b"\0" * (50 * 1024 * 1024)
    response = post_photos(client, face=("face.jpg", images.jpeg()), id_photo=("id.jpg", big))
    assert_refused(response, photo_dir, field="id_photo", phrase="the limit is 10 MB")
    assert "50 MB" in response.content.decode()


def test_a_100_megapixel_image_is_refused_before_decoding(client, photo_dir):
    bomb = images.hundred_megapixels_png()
    assert len(bomb) < 2 * 1024 * 1024  # small on the wire: only the pixel count gives it away
    response = post_photos(client, face=("face.png", bomb), id_photo=("id.png", images.png()))
    assert_refused(response, photo_dir, field="face_photo", phrase="megapixels")


def test_an_svg_is_refused(client, photo_dir):
    response = post_photos(
        client, face=("face.jpg", images.jpeg()), id_photo=("id.svg", images.SVG)
    )
    assert_refused(response, photo_dir, field="id_photo", phrase="not a JPEG or PNG image")


def test_a_missing_photo_is_refused_by_name(client, photo_dir):
    response = post_photos(client, face=("face.jpg", images.jpeg()), id_photo=None)
    assert_refused(response, photo_dir, field="id_photo", phrase="is required")


def test_a_double_submit_makes_one_attempt(client, photo_dir):
    first = post_photos(
        client, face=("f.jpg", images.jpeg()), id_photo=("i.png", images.png()), key="same"
    )
    second = post_photos(
        client, face=("f.jpg", images.jpeg()), id_photo=("i.png", images.png()), key="same"
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert VerificationAttempt.objects.count() == 1
    assert len(stored_objects(photo_dir)) == 2  # the second request's objects were removed


def test_a_second_submit_with_a_new_key_while_pending_makes_no_attempt(
    client, photo_dir, manual_mode
):
    post_photos(client, face=("f.jpg", images.jpeg()), id_photo=("i.png", images.png()), key="one")
    again = post_photos(
        client, face=("f.jpg", images.jpeg()), id_photo=("i.png", images.png()), key="two"
    )
    assert again.status_code == 302
    assert again["Location"] == reverse("verification:status")
    assert VerificationAttempt.objects.count() == 1
    assert len(stored_objects(photo_dir)) == 2


def test_another_learners_attempt_id_is_404(login, learner, other_learner):
    from tests.verification.conftest import submit

    theirs = submit(other_learner)
    response = login(learner).get(reverse("verification:attempt", args=[theirs.attempt_id]))
    assert response.status_code == 404
    mine = login(other_learner).get(reverse("verification:attempt", args=[theirs.attempt_id]))
    assert mine.status_code == 200


def test_anonymous_is_sent_to_log_in(client, photo_dir):
    anonymous = type(client)()
    for name in ("start", "photos", "status"):
        response = anonymous.get(reverse(f"verification:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("web:login") + "?next=")
    posted = anonymous.post(PHOTOS_URL, {"submission_key": "x"})
    assert posted.status_code == 302
    assert posted["Location"].startswith(reverse("web:login"))
    assert VerificationAttempt.objects.count() == 0


def test_the_photo_form_needs_the_csrf_token(login, learner, photo_dir):
    client = login(learner, enforce_csrf_checks=True)
    response = client.post(
        PHOTOS_URL,
        {
            "submission_key": "k",
            "face_photo": SimpleUploadedFile("f.jpg", images.jpeg(), "image/jpeg"),
            "id_photo": SimpleUploadedFile("i.png", images.png(), "image/png"),
        },
    )
    assert response.status_code == 403
    assert VerificationAttempt.objects.count() == 0
    assert stored_objects(photo_dir) == []
