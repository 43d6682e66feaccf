from __future__ import annotations

import datetime as dt
import uuid

import pytest
from rest_framework.test import APIClient

from enrollment_tracks.certificates import services, verification_status
from enrollment_tracks.certificates.models import GradeSource
from enrollment_tracks.certificates.types import ConfigurationInput, GradeEntry, SignatoryInput
from enrollment_tracks.core import clock
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.services import enrollment_create
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded logos and signatures land in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course() -> CourseRun:
    """A course offering audit, honor and verified."""
    enable_paid_tracks()
    course = make_course(title="Certificates course")
    make_track(course, "audit")
    make_track(course, "honor")
    make_track(course, "verified", price=49)
    return course


@pytest.fixture
def audit_only_course() -> CourseRun:
    return make_course(title="Audit only")


@pytest.fixture
def course_staff(course):
    return make_course_team(course, "staff")


@pytest.fixture
def other_course_staff():
    return make_course_team(make_course(title="Another course"), "instructor")


@pytest.fixture
def api():
    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return client_for


def enroll(course, track: str, user=None, **user_fields):
    user = user or UserFactory(**user_fields)
    enrollment_create(actor=None, learner=user, course=course, track=track, reason="test")
    return user


def configure(course, *, active: bool = True, actor=None, **fields):
    data = {
        "title": "Certificate of Achievement",
        "organisation_name": "TestX",
        "description": "For passing.",
        "is_active": active,
        "signatories": (SignatoryInput("Ada Lovelace", "Course lead"),),
    }
    data.update(fields)
    return services.configuration_save(actor=actor, course=course, data=ConfigurationInput(**data))


def grade(course, *pairs, actor=None):
    """``grade(course, (user, "80"), ...)`` through the grades service; returns the results."""
    entries = [
        GradeEntry(line=i, identifier=user.username, grade=str(value))
        for i, (user, value) in enumerate(pairs, start=2)
    ]
    return services.grades_record(
        actor=actor, course=course, entries=entries, source=GradeSource.API
    )


def approve_verification(user) -> None:
    """An approved ID verification valid for a year (the verification app's own row)."""
    from enrollment_tracks.verification.models import VerificationAttempt

    now = clock.now()
    VerificationAttempt.objects.create(
        user=user,
        status="approved",
        submission_key=uuid.uuid4().hex,
        review_mode="manual",
        created_at=now,
        updated_at=now,
        submitted_at=now,
        decided_at=now - dt.timedelta(seconds=1),
        expires_at=now + dt.timedelta(days=365),
    )


@pytest.fixture
def without_verification_app(monkeypatch):
    """The adapter as it behaves before the verification app is installed."""
    monkeypatch.setattr(
        verification_status, "VERIFICATION_APP", "enrollment_tracks.not_installed_verification"
    )
    assert not verification_status.verification_installed()
