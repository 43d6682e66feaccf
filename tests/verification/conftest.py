from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from enrollment_tracks.core import clock
from enrollment_tracks.verification.models import ReviewMode
from enrollment_tracks.verification.services import attempt_submit, review_mode_set
from enrollment_tracks.verification.types import PhotoUpload
from tests.factories import UserFactory, make_course, make_course_team
from tests.verification import images

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def photo_dir(settings, tmp_path) -> Path:
    """Each test stores its ciphertexts in its own directory (a real file-system storage)."""
    location = tmp_path / "verification"
    settings.STORAGES = {
        **settings.STORAGES,
        "verification": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        },
    }
    return location


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def manual_mode() -> None:
    review_mode_set(ReviewMode.MANUAL)


@pytest.fixture
def reviewer():
    user = UserFactory(username="reviewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_attempt"))
    return user


@pytest.fixture
def staff_without_permission():
    return UserFactory(username="plainstaff", is_staff=True)


@pytest.fixture
def course_staff():
    return make_course_team(make_course(title="Some course"), role="instructor")


@pytest.fixture
def other_learner():
    return UserFactory(username="someoneelse")


@pytest.fixture
def login():
    def signed_in(user=None, **options) -> Client:
        client = Client(**options)
        if user is not None:
            client.force_login(user)
        return client

    return signed_in


def upload(data: bytes) -> PhotoUpload:
    return PhotoUpload(data=data, size=len(data))


def submit(learner, *, face: bytes | None = None, id_photo: bytes | None = None, key: str = ""):
    """An attempt through the service, with two fresh valid photos by default."""
    return attempt_submit(
        learner=learner,
        face_photo=upload(face if face is not None else images.jpeg()),
        id_photo=upload(id_photo if id_photo is not None else images.png()),
        submission_key=key or uuid.uuid4().hex,
    )
