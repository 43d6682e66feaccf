"""Photos at rest: ciphertext only, a fresh key and nonce each, integrity, key rotation."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from enrollment_tracks.verification import crypto
from enrollment_tracks.verification.models import (
    AttemptEvent,
    AttemptPhoto,
    EventKind,
    VerificationAttempt,
)
from enrollment_tracks.verification.services import PhotoUnavailable, photo_view
from tests.factories import UserFactory
from tests.verification import images
from tests.verification.conftest import submit


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def stored(photo_dir) -> dict[str, bytes]:
    return {
        path.relative_to(photo_dir).as_posix(): path.read_bytes()
        for path in photo_dir.rglob("*")
        if path.is_file()
    }


def test_raw_stored_objects_are_not_images_and_share_no_nonce_or_key(photo_dir):
    learners = UserFactory.create_batch(20)
    for learner in learners:
        submit(learner, face=images.jpeg(color=(learner.pk % 255, 1, 2)), id_photo=images.png())
    objects = stored(photo_dir)
    assert len(objects) == 40
    assert not any(images.is_image(data) for data in objects.values())
    photos = list(AttemptPhoto.objects.all())
    assert len({bytes(photo.nonce) for photo in photos}) == 40
    assert len({bytes(photo.wrapped_key) for photo in photos}) == 40
    assert all(len(bytes(photo.nonce)) == 12 for photo in photos)
    # Stored under generated names that say nothing about the learner or the attempt.
    for photo in photos:
        assert str(photo.attempt.public_id) not in photo.storage_name
        assert photo.attempt.user.username not in photo.storage_name


def test_the_reviewer_gets_back_a_clean_jpeg_without_metadata(reviewer):
    learner = UserFactory()
    original = images.jpeg(exif=True)
    assert b"SecretCameraMaker" in original
    result = submit(learner, face=original)
    shown = photo_view(public_id=result.attempt_id, kind="face", viewer=reviewer)
    image = Image.open(io.BytesIO(shown))
    assert image.format == "JPEG"
    assert image.size == (320, 240)
    assert dict(image.getexif()) == {}
    assert b"SecretCameraMaker" not in shown
    assert b"Jane Learner" not in shown


@pytest.mark.parametrize("where", ["ciphertext", "nonce", "wrapped_key", "associated_data"])
def test_a_flipped_byte_fails_decryption(where):
    sealed = crypto.seal(images.jpeg(), associated_data=b"verification:a:face")
    aad = b"verification:a:face"
    parts = {
        "ciphertext": sealed.ciphertext,
        "nonce": sealed.nonce,
        "wrapped_key": sealed.wrapped_key,
    }
    if where == "associated_data":
        aad = b"verification:a:id"  # the ID photo's object put in place of the face photo
    else:
        damaged = bytearray(parts[where])
        damaged[len(damaged) // 2] ^= 0x01
        parts[where] = bytes(damaged)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.unseal(
            crypto.Sealed(sealed.kek_id, parts["wrapped_key"], parts["nonce"], parts["ciphertext"]),
            associated_data=aad,
        )
    assert crypto.unseal(sealed, associated_data=b"verification:a:face") == images.jpeg()


def test_a_tampered_ciphertext_fails_cleanly_and_flags_the_attempt(
    login, reviewer, photo_dir, manual_mode
):
    learner = UserFactory()
    result = submit(learner)
    photo = AttemptPhoto.objects.get(attempt__public_id=result.attempt_id, kind="id")
    path = photo_dir / photo.storage_name
    damaged = bytearray(path.read_bytes())
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))

    client = login(reviewer)
    response = client.get(reverse("verification:review-photo", args=[result.attempt_id, "id"]))
    assert response.status_code == 409
    assert response["Content-Type"].startswith("text/plain")
    assert "integrity check" in response.content.decode()
    attempt = VerificationAttempt.objects.get(public_id=result.attempt_id)
    assert attempt.integrity_failed_at is not None
    assert AttemptEvent.objects.filter(
        attempt=attempt, kind=EventKind.INTEGRITY_FAILED, actor=reviewer
    ).exists()
    # The untouched face photo still decrypts; the review page shows the flag.
    assert (
        client.get(
            reverse("verification:review-photo", args=[result.attempt_id, "face"])
        ).status_code
        == 200
    )
    page = client.get(reverse("verification:review-detail", args=[result.attempt_id]))
    assert 'id="integrity-flag"' in page.content.decode()


def test_a_missing_object_fails_cleanly_too(reviewer, photo_dir):
    result = submit(UserFactory())
    photo = AttemptPhoto.objects.get(attempt__public_id=result.attempt_id, kind="face")
    (photo_dir / photo.storage_name).unlink()
    with pytest.raises(PhotoUnavailable):
        photo_view(public_id=result.attempt_id, kind="face", viewer=reviewer)
    assert VerificationAttempt.objects.get(public_id=result.attempt_id).integrity_failed_at


def test_key_rotation_rewraps_data_keys_and_the_old_key_can_then_go(settings, reviewer):
    old, new = _key(), _key()
    settings.VERIFICATION_KEKS = {"2026a": old}
    settings.VERIFICATION_KEK_ID = "2026a"
    result = submit(UserFactory(), face=images.jpeg(color=(1, 2, 3)))
    before = photo_view(public_id=result.attempt_id, kind="face", viewer=reviewer)

    # New key current, old one still in the ring: old photos still open, new ones use the new key.
    settings.VERIFICATION_KEKS = {"2026b": new, "2026a": old}
    settings.VERIFICATION_KEK_ID = "2026b"
    assert photo_view(public_id=result.attempt_id, kind="face", viewer=reviewer) == before
    assert set(AttemptPhoto.objects.values_list("kek_id", flat=True)) == {"2026a"}
    ciphertexts = {p.storage_name: p for p in AttemptPhoto.objects.all()}

    call_command("verification_rotate_keys", stdout=io.StringIO())
    assert set(AttemptPhoto.objects.values_list("kek_id", flat=True)) == {"2026b"}
    assert {p.storage_name for p in AttemptPhoto.objects.all()} == set(
        ciphertexts
    )  # not re-encrypted

    settings.VERIFICATION_KEKS = {"2026b": new}
    assert photo_view(public_id=result.attempt_id, kind="face", viewer=reviewer) == before
    assert call_command("verification_rotate_keys", stdout=io.StringIO()) is None  # nothing left


def test_a_photo_under_a_removed_key_fails_cleanly(settings, reviewer):
    settings.VERIFICATION_KEKS = {"gone": _key()}
    settings.VERIFICATION_KEK_ID = "gone"
    result = submit(UserFactory())
    settings.VERIFICATION_KEKS = {"other": _key()}
    settings.VERIFICATION_KEK_ID = "other"
    with pytest.raises(PhotoUnavailable):
        photo_view(public_id=result.attempt_id, kind="id", viewer=reviewer)
