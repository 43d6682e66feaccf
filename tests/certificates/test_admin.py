"""Operators' admin pages for certificates, and the revoke action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment_tracks.certificates.models import Certificate, CertificateHistory
from tests.certificates.conftest import configure, enroll, grade

MODELS = [
    "certificate",
    "certificateconfiguration",
    "certificateexception",
    "generationjob",
    "grade",
    "gradehistory",
    "passinggrade",
]


@pytest.fixture
def issued(course):
    configure(course)
    learner = enroll(course, "honor")
    grade(course, (learner, "80"))
    return Certificate.objects.get(user=learner)


@pytest.mark.parametrize("model", MODELS)
def test_changelists_load_for_operators_only(client, global_staff, learner, issued, model):
    url = reverse(f"admin:certificates_{model}_changelist")
    client.force_login(learner)
    assert client.get(url).status_code == 302  # not staff: sent to the admin log-in
    client.force_login(global_staff)
    assert client.get(url).status_code == 200


def test_revoke_action_goes_through_the_service(client, global_staff, issued):
    client.force_login(global_staff)
    url = reverse("admin:certificates_certificate_changelist")
    response = client.post(url, {"action": "revoke", "_selected_action": [issued.pk]})
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.state == "revoked"
    assert CertificateHistory.objects.filter(certificate=issued, to_state="revoked").count() == 1
