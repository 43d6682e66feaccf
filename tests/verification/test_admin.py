from __future__ import annotations

from django.urls import reverse

from enrollment_tracks.verification.models import AttemptPhoto, ReviewMode
from enrollment_tracks.verification.selectors import review_mode_get
from tests.factories import UserFactory
from tests.verification.conftest import submit


def test_attempts_are_read_only_and_show_no_key_material(login, global_staff):
    result = submit(UserFactory(username="jane"))
    client = login(global_staff)
    listing = client.get(reverse("admin:verification_verificationattempt_changelist"))
    assert listing.status_code == 200
    assert str(result.attempt_id) in listing.content.decode()
    attempt_pk = AttemptPhoto.objects.first().attempt_id
    page = client.get(reverse("admin:verification_verificationattempt_change", args=[attempt_pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Open the review page" in body
    for photo in AttemptPhoto.objects.all():
        assert photo.storage_name not in body
        assert bytes(photo.nonce).hex() not in body
    assert client.get(reverse("admin:verification_verificationattempt_add")).status_code == 403


def test_the_review_mode_is_switched_in_the_admin(login, global_staff):
    assert review_mode_get() is ReviewMode.AUTOMATIC
    client = login(global_staff)
    response = client.post(
        reverse("admin:verification_reviewsettings_change", args=[1]), {"review_mode": "manual"}
    )
    assert response.status_code == 302
    assert review_mode_get() is ReviewMode.MANUAL
