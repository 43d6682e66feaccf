"""Our own membership job API over HTTP: permissions, CSRF, the job's life, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import NoReverseMatch, reverse
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.parsing import parse_text
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import JobRequest, job_plan
from enrollment_tracks.membership.state import job_transition
from tests.factories import UserFactory, make_course, make_track
from tests.membership.conftest import compat_url, job_url, jobs_url


@pytest.fixture
def staff_api(api, course_staff):
    return api(course_staff)


def plan_job(course, actor, text="someone@example.org", action="enroll", **options):
    request = JobRequest(action=action, entries=parse_text(text), **options)
    return job_plan(actor=actor, course=course, request=request)


def create(client, course, **body):
    body.setdefault("action", "enroll")
    return client.post(jobs_url(course), body, format="json")


ENROLLED_ON = {"user": True, "enrollment": True, "allowed": False, "auto_enroll": False}


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


# ------------------------------------------------------------------------- permission table

ROLES = ["anonymous", "learner", "other_course_staff", "course_staff", "global_staff"]
ALLOWED = {"course_staff", "global_staff"}
ENROLL_ONE = {"action": "enroll", "identifiers": "x@example.org"}
ENDPOINTS = {
    # name: (method, url builder, body, success status)
    "compat": ("post", lambda c, j: compat_url(c), ENROLL_ONE, 200),
    "list": ("get", lambda c, j: jobs_url(c), None, 200),
    "create": ("post", lambda c, j: jobs_url(c), ENROLL_ONE, 201),
    "detail": ("get", lambda c, j: job_url(c, j), None, 200),
    "confirm": ("post", lambda c, j: job_url(c, j, "job-confirm"), None, 200),
    "cancel": ("post", lambda c, j: job_url(c, j, "job-cancel"), None, 200),
    "retry": ("post", lambda c, j: job_url(c, j, "job-retry"), None, 200),
    "results": ("get", lambda c, j: job_url(c, j, "job-results"), None, 200),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_permission_table(request, api, course, course_staff, endpoint, role):
    job = plan_job(course, course_staff)
    user = None if role == "anonymous" else request.getfixturevalue(role)
    if role == "learner":
        assert user is not None
        enrollment_create(actor=course_staff, learner=user, course=course)
    method, url, body, success = ENDPOINTS[endpoint]

    response = getattr(api(user), method)(url(course, job.pk), body, format="json")

    if role in ALLOWED:
        assert response.status_code == success, response.content
        return
    assert response.status_code == 403
    code = "not_authenticated" if role == "anonymous" else "not_course_staff"
    body = response.json()
    if endpoint == "compat":  # Open edX's error body
        assert body["error_code"] == code
    else:
        assert body["error"]["code"] == code
    assert MembershipJob.objects.get().status == JobStatus.PLANNED  # nothing happened


@pytest.mark.parametrize("endpoint", ["detail", "confirm", "cancel", "retry", "results"])
def test_job_of_another_course_is_404(staff_api, course, endpoint):
    other = make_course()
    foreign = plan_job(other, UserFactory(is_staff=True))
    method, url, _, _ = ENDPOINTS[endpoint]

    response = getattr(staff_api, method)(url(course, foreign.pk), format="json")

    assert error_of(response, 404)["code"] == "job_not_found"
    assert MembershipJob.objects.get(pk=foreign.pk).status == JobStatus.PLANNED


def test_unknown_course_is_404(staff_api):
    response = staff_api.get("/api/membership/v1/courses/course-v1:No+Such+Course/jobs/")

    assert error_of(response, 404) == {
        "code": "course_not_found",
        "message": "No course run with the key “course-v1:No+Such+Course”.",
        "field": "course_id",
    }


# ------------------------------------------------------------------------------- CSRF


@pytest.mark.parametrize("url_of", [jobs_url, compat_url])
def test_session_auth_enforces_csrf(api, course, course_staff, url_of):
    client = api(course_staff, enforce_csrf_checks=True)
    body = {"action": "enroll", "identifiers": "x@example.org"}

    response = client.post(url_of(course), body, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.content.decode()
    assert not MembershipJob.objects.exists()


def test_csrf_token_lets_the_request_through(api, course, course_staff):
    client = api(course_staff, enforce_csrf_checks=True)
    token = "a" * 32
    client.cookies["csrftoken"] = token

    response = client.post(
        jobs_url(course),
        {"action": "enroll", "identifiers": "x@example.org"},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )

    assert response.status_code == 201


# ------------------------------------------------------------------------- a job's life


def test_create_dry_run_answers_the_plan(staff_api, course, learner):
    response = create(
        staff_api,
        course,
        identifiers=[learner.username, "new@example.org", "bad!id", learner.email],
        reason="Cohort B",
    )

    assert response.status_code == 201
    job = response.json()
    assert job["status"] == "planned"
    assert job["action"] == "enroll"
    assert job["course_id"] == course.key
    assert job["source"] == "api"
    assert (job["total"], job["done"], job["progress_percent"]) == (4, 0, 0)
    assert job["plan_counts"] == {
        "will_enroll": 1,
        "will_invite": 1,
        "invalid_identifier": 1,
        "duplicate": 1,
    }
    assert job["counts"] == {}
    assert job["options"] == {
        "to_track": "",
        "from_track": "",
        "auto_enroll": False,
        "notify": False,
        "reason": "Cohort B",
    }
    assert job["links"]["self"].endswith(job_url(course, job["id"]))
    assert job["links"]["confirm"].endswith(job_url(course, job["id"], "job-confirm"))
    assert job["started_at"] is None
    assert not DBTaskResult.objects.exists()
    assert not Enrollment.objects.exists()


def test_create_without_dry_run_queues_the_job(staff_api, course, learner):
    response = create(staff_api, course, identifiers=learner.username, dry_run=False)

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    assert DBTaskResult.objects.count() == 1


def test_create_from_csv_text(staff_api, course, learner):
    make_track(course, "audit")
    make_track(course, "honor")
    csv = f"identifier,track\n{learner.username},honor\nnew@example.org,\n"

    job = create(staff_api, course, csv=csv).json()

    assert job["plan_counts"] == {"will_enroll": 1, "will_invite": 1}


def test_request_key_gives_back_the_same_job(staff_api, course, learner):
    first = create(staff_api, course, identifiers=learner.username, request_key="k-1")
    second = create(staff_api, course, identifiers=learner.username, request_key="k-1")

    assert first.json()["id"] == second.json()["id"]
    assert MembershipJob.objects.count() == 1


def test_confirm_twice_queues_one_task_then_run_and_read(staff_api, course, course_staff):
    learners = UserFactory.create_batch(3)
    for learner in learners:
        enrollment_create(actor=course_staff, learner=learner, course=course)
    make_track(course, "audit")
    make_track(course, "honor")
    names = [learner.username for learner in learners] + ["ghost"]
    job_id = create(
        staff_api, course, action="change_track", identifiers=names, to_track="honor"
    ).json()["id"]

    first = staff_api.post(job_url(course, job_id, "job-confirm"))
    second = staff_api.post(job_url(course, job_id, "job-confirm"))

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == second.json()["status"] == "queued"
    assert DBTaskResult.objects.filter(args_kwargs__args=[job_id]).count() == 1

    assert job_run(MembershipJob.objects.get().pk) == JobStatus.SUCCEEDED

    job = staff_api.get(job_url(course, job_id)).json()
    assert job["status"] == "succeeded"
    assert (job["total"], job["done"], job["progress_percent"]) == (4, 4, 100)
    assert job["counts"] == {"changed": 3, "unknown_user": 1}
    assert job["started_at"] is not None
    assert job["finished_at"] is not None
    assert job["error"] == ""
    assert set(Enrollment.objects.values_list("track", flat=True)) == {"honor"}

    results = staff_api.get(job_url(course, job_id, "job-results")).json()
    assert results["count"] == 4
    first_row, *_, last_row = results["results"]
    assert first_row == {
        "position": 0,
        "identifier": learners[0].username,
        "username": learners[0].username,
        "kind": "user",
        "plan": "will_change",
        "plan_label": "Will change track",
        "plan_detail": "audit→honor",
        "outcome": "changed",
        "outcome_label": "Track changed for the following users:",
        "before": {**ENROLLED_ON, "track": "audit"},
        "after": {**ENROLLED_ON, "track": "honor"},
        "transition": "from enrolled to enrolled",
        "error": "",
    }
    assert (last_row["identifier"], last_row["outcome"]) == ("ghost", "unknown_user")


def test_results_before_the_run_show_the_plan_and_paginate(staff_api, course, course_staff):
    job = plan_job(course, course_staff, "a@example.org b@example.org bad!id")

    page = staff_api.get(job_url(course, job.pk, "job-results"), {"page_size": 2}).json()

    assert page["count"] == 3
    assert page["next"] is not None
    assert [row["plan"] for row in page["results"]] == ["will_invite", "will_invite"]
    assert all(row["outcome"] is None and row["before"] is None for row in page["results"])
    last = staff_api.get(page["next"]).json()
    assert [row["identifier"] for row in last["results"]] == ["bad!id"]


def test_list_is_newest_first_and_paginated(staff_api, course, course_staff):
    with clock.frozen_at(dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)):
        older = plan_job(course, course_staff, "a@example.org")
    with clock.frozen_at(dt.datetime(2026, 10, 1, 12, 1, tzinfo=dt.UTC)):
        newer = plan_job(course, course_staff, "b@example.org")
    plan_job(make_course(), UserFactory(is_staff=True))  # another course's job is not listed

    body = staff_api.get(jobs_url(course), {"page_size": 1}).json()

    assert body["count"] == 2
    assert [job["id"] for job in body["results"]] == [str(newer.pk)]
    body = staff_api.get(body["next"]).json()
    assert [job["id"] for job in body["results"]] == [str(older.pk)]
    body = staff_api.get(jobs_url(course)).json()
    assert [job["id"] for job in body["results"]] == [str(newer.pk), str(older.pk)]
    assert body["results"][0]["created_by"] == course_staff.username


def test_cancel_a_planned_job(staff_api, course, course_staff):
    job = plan_job(course, course_staff)

    response = staff_api.post(job_url(course, job.pk, "job-cancel"))

    assert response.json()["status"] == "cancelled"
    assert response.json()["finished_at"] is not None


def test_retry_queues_a_failed_job(staff_api, course, course_staff):
    job = plan_job(course, course_staff)
    for status in (JobStatus.QUEUED, JobStatus.RUNNING):
        job_transition(job, status)
    job.error = "RuntimeError: boom"
    job_transition(job, JobStatus.FAILED, fields=("error",))

    response = staff_api.post(job_url(course, job.pk, "job-retry"))

    assert response.json()["status"] == "queued"
    assert response.json()["error"] == ""
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(job.pk)]).count() == 1


def test_retry_of_a_planned_job_changes_nothing(staff_api, course, course_staff):
    job = plan_job(course, course_staff)

    response = staff_api.post(job_url(course, job.pk, "job-retry"))

    assert response.status_code == 200
    assert response.json()["status"] == "planned"


# ---------------------------------------------------------------------------- bad input


def test_empty_identifiers(staff_api, course):
    assert error_of(create(staff_api, course, identifiers=" \n, "), 400) == {
        "code": "empty",
        "message": "Give at least one email address or username.",
        "field": "identifiers",
    }


def test_missing_identifiers_and_csv(staff_api, course):
    assert error_of(create(staff_api, course), 400)["code"] == "empty"


def test_too_many_identifiers(settings, staff_api, course):
    settings.MEMBERSHIP_MAX_IDENTIFIERS = 3

    error = error_of(create(staff_api, course, identifiers=["a", "b", "c", "d"]), 400)

    assert (error["code"], error["field"]) == ("too_many_identifiers", "identifiers")
    assert error["message"].startswith("A job takes at most 3 identifiers; you gave 4.")
    assert not MembershipJob.objects.exists()


def test_invalid_action(staff_api, course):
    error = error_of(create(staff_api, course, action="promote", identifiers="a"), 400)

    assert error == {
        "code": "invalid_choice",
        "message": '"promote" is not a valid choice.',
        "field": "action",
        "details": {"action": ['"promote" is not a valid choice.']},
    }


def test_track_not_offered(staff_api, course, learner):
    make_track(course, "audit")

    error = error_of(
        create(staff_api, course, action="change_track", identifiers="a", to_track="honor"), 400
    )

    assert (error["code"], error["field"]) == ("track_not_offered", "to_track")
    assert error["message"] == "This course does not offer the Honor track."


def test_unknown_track(staff_api, course):
    error = error_of(
        create(staff_api, course, action="change_track", identifiers="a", to_track="gold"), 400
    )

    assert (error["code"], error["field"]) == ("unknown_track", "to_track")


def test_identifiers_of_the_wrong_type(staff_api, course):
    error = error_of(create(staff_api, course, identifiers={"a": 1}), 400)

    assert (error["code"], error["field"]) == ("invalid", "identifiers")


def test_identifiers_and_csv_together(staff_api, course):
    error = error_of(create(staff_api, course, identifiers="a", csv="identifier\nb\n"), 400)

    assert (error["code"], error["field"]) == ("ambiguous", "csv")


def test_csv_with_a_wrong_header(staff_api, course):
    error = error_of(create(staff_api, course, csv="email\na@example.org\n"), 400)

    assert (error["code"], error["field"]) == ("csv_header", "csv")


def test_form_encoded_body_is_refused(staff_api, course):
    """Only JSON: a form would turn an absent ``dry_run`` into false and run the job."""
    response = staff_api.post(jobs_url(course), {"action": "enroll", "identifiers": "a"})

    assert error_of(response, 415)["code"] == "unsupported_media_type"
    assert not MembershipJob.objects.exists()


def test_results_csv_link_only_when_the_page_serves_it(staff_api, course, course_staff):
    job = plan_job(course, course_staff)
    try:
        expected = reverse("membership:job-results-csv", args=[course.key, job.pk])
    except NoReverseMatch:
        expected = None

    links = staff_api.get(job_url(course, job.pk)).json()["links"]

    if expected is None:
        assert "results_csv" not in links
    else:
        assert links["results_csv"] == f"http://testserver{expected}"
