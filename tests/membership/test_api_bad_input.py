"""Bad input to the membership APIs: bodies over the site's limit, fields a caller may not set."""

from __future__ import annotations

import json
import uuid

from enrollment_tracks.membership.models import JobStatus, MembershipJob
from tests.factories import UserFactory
from tests.membership.conftest import compat_url, jobs_url
from tests.membership.test_api_jobs import error_of

TOO_LARGE = "The request body is too large: this endpoint accepts at most 1000 bytes."


def test_a_job_over_the_sites_body_limit_is_413(settings, api, course, course_staff):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    body = json.dumps({"action": "enroll", "identifiers": "someone@example.org," * 100})

    response = api(course_staff).post(jobs_url(course), body, content_type="application/json")

    assert error_of(response, 413) == {
        "code": "request_too_large",
        "message": TOO_LARGE,
        "field": None,
    }
    assert not MembershipJob.objects.exists()


def test_a_students_update_enrollment_over_the_limit_is_413(settings, api, course, course_staff):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    form = {"action": "enroll", "identifiers": "someone@example.org," * 100}

    response = api(course_staff).post(compat_url(course), form)

    assert response.status_code == 413
    assert response.json() == {"developer_message": TOO_LARGE, "error_code": "request_too_large"}
    assert not MembershipJob.objects.exists()


def test_a_new_job_ignores_its_status_author_and_id_in_the_body(api, course, course_staff):
    intruder = UserFactory()
    chosen_id = uuid.uuid4()
    body = {
        "action": "enroll",
        "identifiers": "someone@example.org",
        "id": str(chosen_id),
        "status": JobStatus.SUCCEEDED,
        "created_by": intruder.username,
        "done": 1,
    }

    response = api(course_staff).post(jobs_url(course), body, format="json")

    assert response.status_code == 201
    job = MembershipJob.objects.get()
    assert (job.status, job.created_by, job.done) == (JobStatus.PLANNED, course_staff, 0)
    assert job.pk != chosen_id
