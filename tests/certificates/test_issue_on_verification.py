"""A verified learner who passed gets the certificate when their ID verification is approved."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from enrollment_tracks.certificates.selectors import certificate_issued_exists
from enrollment_tracks.verification.models import ReviewMode
from enrollment_tracks.verification.services import attempt_decide, review_mode_set
from tests.certificates.conftest import configure, enroll, grade
from tests.factories import UserFactory
from tests.verification.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _photos_in_tmp(settings, tmp_path) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "verification": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "verification"},
        },
    }


@pytest.fixture
def reviewer():
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="review_attempt"))
    return user


def test_approval_issues_the_certificate_the_verification_held_back(
    course, reviewer, django_capture_on_commit_callbacks
):
    configure(course)
    review_mode_set(ReviewMode.MANUAL)
    learner = enroll(course, "verified")
    failing = enroll(course, "verified")
    honor = enroll(course, "honor")
    with django_capture_on_commit_callbacks(execute=True):
        grade(course, (learner, "90"), (failing, "10"), (honor, "90"))
    assert not certificate_issued_exists(learner.pk, course.pk)  # waits for the verification
    attempts = {user.pk: submit(user).attempt_id for user in (learner, failing)}

    with django_capture_on_commit_callbacks(execute=True):
        for attempt in attempts.values():
            attempt_decide(public_id=attempt, actor=reviewer, decision="approve")

    assert certificate_issued_exists(learner.pk, course.pk)
    assert not certificate_issued_exists(failing.pk, course.pk)  # verified, but did not pass
    assert certificate_issued_exists(honor.pk, course.pk)  # never needed a verification


def test_a_denied_verification_issues_nothing(course, reviewer, django_capture_on_commit_callbacks):
    configure(course)
    review_mode_set(ReviewMode.MANUAL)
    learner = enroll(course, "verified")
    grade(course, (learner, "90"))
    attempt = submit(learner).attempt_id

    with django_capture_on_commit_callbacks(execute=True):
        attempt_decide(public_id=attempt, actor=reviewer, decision="deny", reason="Blurry")

    assert not certificate_issued_exists(learner.pk, course.pk)
