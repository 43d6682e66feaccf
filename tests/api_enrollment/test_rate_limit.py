"""Enrollment writes are limited per user (ENROLLMENT_WRITE_RATE): 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.api_enrollment.conftest import ENROLLMENT, KEY, enroll, enrollment_url
from tests.factories import UserFactory


@pytest.mark.django_db
@override_settings(ENROLLMENT_WRITE_RATE="2/minute")
def test_the_third_post_in_a_minute_is_refused_with_retry_after(api, course, learner):
    client = api(learner)
    assert enroll(client).status_code == 200
    assert enroll(client).status_code == 200  # idempotent, still counted

    refused = enroll(client)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "throttled" in refused.content.decode().lower()


@pytest.mark.django_db
@override_settings(ENROLLMENT_WRITE_RATE="1/minute")
def test_reads_are_never_counted_and_each_user_has_own_budget(api, course, learner):
    client = api(learner)
    for _ in range(5):
        assert client.get(ENROLLMENT).status_code == 200
    assert enroll(client).status_code == 200
    assert client.get(enrollment_url(KEY)).status_code == 200
    assert enroll(client).status_code == 429

    assert enroll(api(UserFactory())).status_code == 200
