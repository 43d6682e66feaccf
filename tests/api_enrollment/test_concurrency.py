"""Simultaneous identical requests over HTTP, on real PostgreSQL connections: one row, no 500."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from enrollment_tracks.enrollments.models import Enrollment, Invitation
from tests.api_enrollment.conftest import ALLOWED, ENROLLMENT, KEY
from tests.concurrency import together
from tests.factories import UserFactory, make_course

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def post(user, url: str, body: dict) -> int:
    client = APIClient()
    client.force_login(user)
    return client.post(url, data=json.dumps(body), content_type="application/json").status_code


def test_simultaneous_enrollment_posts_make_one_enrollment():
    make_course(key=KEY, title="Demo")
    learner = UserFactory()

    statuses = together(
        6, lambda: post(learner, ENROLLMENT, {"course_details": {"course_id": KEY}})
    )

    assert statuses == [200] * 6
    assert Enrollment.objects.filter(user=learner).count() == 1


def test_simultaneous_invitations_answer_one_201_and_409s():
    make_course(key=KEY, title="Demo")
    staff = UserFactory(is_staff=True)

    statuses = together(
        6, lambda: post(staff, ALLOWED, {"email": "race@example.org", "course_id": KEY})
    )

    assert sorted(statuses) == [201] + [409] * 5
    assert Invitation.objects.count() == 1
