"""No photo in plaintext outside the reviewer's view: not on disk (uploads never go to a temporary
file), not in logs, not in the cache, not in task payloads."""

from __future__ import annotations

import base64
import logging

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.verification.models import VerificationAttempt
from enrollment_tracks.verification.services import verification_retire_user
from tests.verification import images


def test_photos_leave_no_trace_on_disk_logs_cache_or_tasks(
    login, learner, settings, tmp_path, caplog, photo_dir, django_capture_on_commit_callbacks
):
    # Django would write any upload above one byte to a temporary file in this directory.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    face, card = images.jpeg(exif=True), images.png()
    client = login(learner)
    caplog.set_level(logging.DEBUG)
    for id_photo in (images.truncated_jpeg(), card):  # a refused upload, then an accepted one
        client.post(
            reverse("verification:photos"),
            {
                "submission_key": f"k{len(id_photo)}",
                "face_photo": SimpleUploadedFile("f.jpg", face, "image/jpeg"),
                "id_photo": SimpleUploadedFile("i.png", id_photo, "image/png"),
            },
        )
    assert VerificationAttempt.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        verification_retire_user(learner.pk)

    assert list((tmp_path / "uploads").iterdir()) == []
    secrets = [face[200:264], card[100:164], base64.b64encode(face[200:264])[:40]]
    logged = "\n".join(record.getMessage() for record in caplog.records).encode()
    assert not any(secret in logged for secret in secrets)
    assert learner.email.encode() not in logged
    cached = repr(getattr(cache, "_cache", {})).encode()
    assert not any(secret in cached for secret in secrets)
    payloads = repr(list(DBTaskResult.objects.values_list("args_kwargs", flat=True))).encode()
    assert payloads != b"[]"
    assert not any(secret in payloads for secret in secrets)
    for path in photo_dir.rglob("*"):
        if path.is_file():
            assert not any(secret in path.read_bytes() for secret in secrets)


def _multipart_request(photo: bytes):
    from django.test import RequestFactory

    return RequestFactory().post(
        "/verify/photos/", {"face_photo": SimpleUploadedFile("f.jpg", photo, "image/jpeg")}
    )


def test_the_upload_handler_keeps_photos_in_memory(settings, tmp_path):
    from django.core.files.uploadedfile import InMemoryUploadedFile

    from enrollment_tracks.verification.uploads import keep_uploads_in_memory

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    photo = images.jpeg()

    plain = _multipart_request(photo)  # Django's own handlers: a temporary file on disk
    assert len(list(tmp_path.iterdir())) == 0
    plain.FILES["face_photo"]
    assert len(list(tmp_path.iterdir())) == 1
    plain.FILES["face_photo"].close()

    ours = _multipart_request(photo)
    keep_uploads_in_memory(ours)
    upload = ours.FILES["face_photo"]
    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.read() == photo
    assert len(list(tmp_path.iterdir())) == 0


def test_the_upload_handler_counts_but_does_not_keep_bytes_past_the_limit(settings):
    from enrollment_tracks.verification.uploads import keep_uploads_in_memory, upload_bytes

    settings.VERIFICATION_PHOTO_MAX_BYTES = 1000
    request = _multipart_request(b"x" * 5000)
    keep_uploads_in_memory(request)
    kept, size = upload_bytes(request.FILES["face_photo"])
    assert (kept, size) == (b"", 5000)
