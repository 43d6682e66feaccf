"""The Membership tab over HTTP: who may use it, the dry run, confirming, progress, bad input."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.reports import RESULT_COLUMNS
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.state import job_transition
from enrollment_tracks.notifications.models import OutboxMessage
from tests.factories import UserFactory, make_course, make_course_team, make_track
from tests.web.markup import attr, field_errors, find, find_all, page, text


def tab_url(course) -> str:
    return reverse("membership:tab", args=[course.key])


def job_url(name: str, job) -> str:
    return reverse(f"membership:{name}", args=[job.course.key, job.pk])


def form(**values: str) -> dict[str, str]:
    """What the form posts by default: enroll, auto-enroll on, notify off, a fresh key."""
    data = {"action": "enroll", "auto_enroll": "on", "request_key": uuid.uuid4().hex}
    data.update(values)
    return data


def signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


@pytest.fixture
def course():
    course = make_course(title="Membership course")
    make_track(course, "audit")
    make_track(course, "honor")
    return course


@pytest.fixture
def team(course):
    return make_course_team(course, username="teamstaff")


@pytest.fixture
def learners(course, team):
    learners = UserFactory.create_batch(5)
    for learner in learners:
        enrollment_create(actor=team, learner=learner, course=course)
    return learners


@pytest.fixture
def planned_job(course, team, learners):
    text_ = " ".join(learner.username for learner in learners)
    response = signed_in(team).post(
        tab_url(course), form(action="change_track", to_track="honor", identifiers=text_)
    )
    assert response.status_code == 302
    return MembershipJob.objects.get()


# --- who may use it -------------------------------------------------------------------------

ALLOWED = {
    ("tab", "get"): 200,
    ("tab", "post"): 400,  # an empty form, refused beside its field
    ("job", "get"): 200,
    ("job-progress", "get"): 200,
    ("job-results", "get"): 200,
    ("job-confirm", "post"): 302,
    ("job-cancel", "post"): 302,
    ("job-retry", "post"): 302,
}


def _request(client: Client, name: str, method: str, job) -> int:
    url = tab_url(job.course) if name == "tab" else job_url(name, job)
    return getattr(client, method)(url).status_code


@pytest.mark.parametrize(("name", "method"), list(ALLOWED))
@pytest.mark.parametrize(
    ("who", "allowed"),
    [("course staff", True), ("course instructor", True), ("global staff", True),
     ("learner", False), ("team of another course", False), ("anonymous", None)],
)  # fmt: skip
def test_permission_table(planned_job, course, who, allowed, name, method):
    users = {
        "course staff": lambda: make_course_team(course, "staff"),
        "course instructor": lambda: make_course_team(course, "instructor"),
        "global staff": lambda: UserFactory(is_staff=True),
        "learner": lambda: UserFactory(),
        "team of another course": lambda: make_course_team(make_course()),
    }
    client = Client() if who == "anonymous" else signed_in(users[who]())
    status = _request(client, name, method, planned_job)
    if allowed is None:
        assert status == 302
        url = tab_url(course) if name == "tab" else job_url(name, planned_job)
        response = getattr(Client(), method)(url)
        assert response["Location"].startswith(reverse("web:login"))
    else:
        assert status == (ALLOWED[(name, method)] if allowed else 403)


@pytest.mark.parametrize("name", [n for n, _ in ALLOWED if n != "tab"])
def test_a_job_of_another_course_is_not_found_through_this_course(planned_job, name):
    other = make_course()
    staff = UserFactory(is_staff=True)
    url = reverse(f"membership:{name}", args=[other.key, planned_job.pk])
    method = "post" if name in {"job-confirm", "job-cancel", "job-retry"} else "get"
    assert getattr(signed_in(staff), method)(url).status_code == 404
    planned_job.refresh_from_db()
    assert planned_job.status == JobStatus.PLANNED


@pytest.mark.parametrize("name", ["tab", "job-confirm", "job-cancel", "job-retry"])
def test_every_post_needs_the_csrf_token(planned_job, team, name):
    client = signed_in(team, enforce_csrf_checks=True)
    assert _request(client, name, "post", planned_job) == 403
    planned_job.refresh_from_db()
    assert planned_job.status == JobStatus.PLANNED


# --- plan, confirm, run ---------------------------------------------------------------------


def test_plan_confirm_run_shows_the_buckets(course, team, learners):
    client = signed_in(team)
    names = [learner.username for learner in learners]
    given = ", ".join([*names, "nobody", "a@b@c", names[0].upper()])
    response = client.post(
        tab_url(course), form(action="change_track", to_track="honor", identifiers=given)
    )
    job = MembershipJob.objects.get()
    assert response["Location"] == job_url("job", job)

    plan = page(client.get(job_url("job", job)))
    buckets = {attr(b, "data-bucket"): b for b in find_all(plan, "section", class_="bucket")}
    assert set(buckets) == {
        "will_change:audit→honor", "invalid_identifier", "unknown_user", "duplicate",
    }  # fmt: skip
    change = buckets["will_change:audit→honor"]
    assert text(find(change, "h4")) == "Will change track from Audit to Honor 5"
    assert [text(li) for li in find_all(change, "li")] == names
    assert text(find(buckets["unknown_user"], "ul")) == "nobody"
    assert text(find(buckets["invalid_identifier"], "ul")) == "a@b@c"
    assert find_all(plan, "button", type="submit")  # confirm and cancel
    assert Enrollment.objects.filter(course=course, track="honor").count() == 0

    assert client.post(job_url("job-confirm", job)).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED
    queued = page(client.get(job_url("job", job)))
    assert attr(find(queued, id="job-live"), "hx-trigger") == "load delay:300ms"
    assert text(find(queued, id="job-progress-text")) == "0 of 8 processed (0%)"
    assert find_all(queued, "form", action=job_url("job-cancel", job))

    assert job_run(job.pk) == JobStatus.SUCCEEDED
    done = page(client.get(job_url("job", job)))
    assert text(find(done, id="job-status")) == "Status: Succeeded."
    results = {attr(b, "data-bucket"): b for b in find_all(done, "section", class_="bucket")}
    assert set(results) == {"changed", "invalid_identifier", "unknown_user", "duplicate"}
    changed = results["changed"]
    assert text(find(changed, "h4")) == "Track changed for the following users: 5"
    audit_link = find(changed, "a", href=None, title=f"Audit trail of {names[0]}")
    assert attr(audit_link, "href") == (
        reverse("web:instructor-audit", args=[course.key]) + f"?learner={names[0]}"
    )
    assert find_all(done, "a", href=job_url("job-results", job))
    assert find_all(done, "form", action=job_url("job-cancel", job)) == []
    assert Enrollment.objects.filter(course=course, track="honor").count() == 5
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []

    listing = page(client.get(tab_url(course)))
    row = find(listing, "tr", data_job=str(job.pk))
    assert "Succeeded" in text(row)
    assert "track changed: 5" in text(row)
    assert "Change track to Honor" in text(row)
    assert "teamstaff" in text(row)


def test_the_progress_partial_polls_until_the_job_is_finished(planned_job, team):
    client = signed_in(team)
    client.post(job_url("job-confirm", planned_job))
    partial = client.get(job_url("job-progress", planned_job))
    assert partial.status_code == 200
    live = find(page(partial), id="job-live")
    assert attr(live, "hx-trigger") == "every 1s"
    assert attr(live, "hx-get") == job_url("job-progress", planned_job)

    job_run(planned_job.pk)
    partial = client.get(job_url("job-progress", planned_job))
    assert partial.status_code == 200
    root = page(partial)
    live = find(root, id="job-live")
    assert attr(live, "hx-trigger") is None
    assert attr(live, "hx-get") is None
    assert attr(live, "data-status") == "succeeded"
    # The Cancel button goes away with the same response.
    actions = find(root, id="job-actions")
    assert attr(actions, "hx-swap-oob") == "true"
    assert find_all(actions, "button") == []


def test_cancel_a_planned_job_changes_nobody(planned_job, team, course):
    client = signed_in(team)
    client.post(job_url("job-cancel", planned_job))
    planned_job.refresh_from_db()
    assert planned_job.status == JobStatus.CANCELLED
    done = page(client.get(job_url("job", planned_job)))
    bucket = find(done, "section", data_bucket="cancelled")
    assert text(find(bucket, "h4")) == "Not processed (the job was cancelled): 5"
    assert Enrollment.objects.filter(course=course, track="audit").count() == 5


def test_a_failed_job_shows_its_error_and_resumes_on_retry(planned_job, team, course):
    client = signed_in(team)
    client.post(job_url("job-confirm", planned_job))
    with transaction.atomic():  # a worker that claimed the job, then hit a database error
        job = MembershipJob.objects.select_for_update().get(pk=planned_job.pk)
        job_transition(job, JobStatus.RUNNING)
        job.error = "OperationalError: database is locked"
        job_transition(job, JobStatus.FAILED, fields=("error",))

    root = page(client.get(job_url("job", job)))
    assert text(find(root, id="job-status")) == "Status: Failed."
    assert text(find(root, id="job-error")) == (
        "The job stopped on an error: OperationalError: database is locked"
    )
    assert find_all(root, "form", action=job_url("job-retry", job))

    assert client.post(job_url("job-retry", job)).status_code == 302
    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.QUEUED, "")
    assert job_run(job.pk) == JobStatus.SUCCEEDED
    root = page(client.get(job_url("job", job)))
    assert find_all(root, "form", action=job_url("job-retry", job)) == []
    history = [text(li) for li in find_all(find(root, id="job-history"), "li")]
    assert [entry.split(" — ")[1] for entry in history] == [
        "planned → queued by teamstaff",
        "queued → running",
        "running → failed",
        "failed → queued by teamstaff",
        "queued → running",
        "running → succeeded",
    ]
    assert Enrollment.objects.filter(course=course, track="honor").count() == 5


def test_the_same_request_key_twice_makes_one_job(course, team, learners):
    client = signed_in(team)
    data = form(identifiers=learners[0].username)
    first = client.post(tab_url(course), data)
    second = client.post(tab_url(course), data)
    assert MembershipJob.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert client.post(tab_url(course), form(identifiers="x")).status_code == 302
    assert MembershipJob.objects.count() == 2


def test_each_form_has_a_fresh_request_key_and_the_open_edx_defaults(course, team):
    client = signed_in(team)
    keys = {attr(find(page(client.get(tab_url(course))), id="id_request_key"), "value")
            for _ in range(2)}  # fmt: skip
    assert len(keys) == 2
    root = page(client.get(tab_url(course)))
    assert "checked" in find(root, id="id_auto_enroll").attributes
    assert "checked" not in find(root, id="id_notify").attributes
    assert "automatically enrolled" in text(find(root, id="id_auto_enroll_helptext"))
    options = [attr(o, "value") for o in find_all(find(root, id="id_to_track"), "option")]
    assert options == ["", "audit", "honor"]


# --- bad input ------------------------------------------------------------------------------


def _refused(client, course, data, field):
    response = client.post(tab_url(course), data)
    assert response.status_code == 400
    assert MembershipJob.objects.count() == 0
    return field_errors(page(response), field)


def test_empty_input(course, team):
    error = _refused(signed_in(team), course, form(identifiers=" ,\n "), "identifiers")
    assert error == "Give at least one email address or username."


def test_too_many_identifiers_with_a_small_limit(course, team, settings):
    settings.MEMBERSHIP_MAX_IDENTIFIERS = 5
    given = " ".join(f"user{n}" for n in range(6))
    error = _refused(signed_in(team), course, form(identifiers=given), "identifiers")
    assert (
        error == "A job takes at most 5 identifiers; you gave 6. Split the list into several jobs."
    )
    csv_file = ("identifier\n" + "\n".join(f"user{n}" for n in range(9))).encode()
    error = _refused(signed_in(team), course, form(csv_file=_upload(csv_file)), "csv_file")
    assert (
        error
        == "A job takes at most 5 identifiers; you gave more. Split the list into several jobs."
    )


def test_100001_identifiers_get_the_limit_message_not_a_server_error(course, team):
    given = "\n".join(f"u{n}" for n in range(100_001))
    error = _refused(signed_in(team), course, form(identifiers=given), "identifiers")
    assert error == (
        "A job takes at most 100,000 identifiers; you gave 100,001. "
        "Split the list into several jobs."
    )


def test_target_track_not_offered(course, team, learners):
    data = form(action="change_track", to_track="verified", identifiers=learners[0].username)
    error = _refused(signed_in(team), course, data, "to_track")
    assert error == "This course does not offer the Verified track."


def test_change_track_needs_a_target(course, team, learners):
    data = form(action="change_track", identifiers=learners[0].username)
    error = _refused(signed_in(team), course, data, "to_track")
    assert error == "Choose the track to move the learners to."


def test_text_and_file_together_are_refused(course, team):
    data = form(identifiers="someone", csv_file=_upload(b"identifier\nsomeone\n"))
    error = _refused(signed_in(team), course, data, "identifiers")
    assert error == "Give either a list or a file, not both: clear one of them."


# --- CSV upload -----------------------------------------------------------------------------


def _upload(content: bytes, name: str = "learners.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_csv_with_a_byte_order_mark(course, team, learners):
    content = "\ufeffidentifier\n" + "\n".join(learner.email for learner in learners) + "\n"
    client = signed_in(team)
    response = client.post(
        tab_url(course), form(action="unenroll", csv_file=_upload(content.encode()))
    )
    assert response.status_code == 302
    job = MembershipJob.objects.get()
    assert job.plan_counts == {"will_unenroll": 5}


def test_csv_with_a_wrong_header(course, team):
    data = form(csv_file=_upload(b"email,mode\nsomeone@example.org,honor\n"))
    error = _refused(signed_in(team), course, data, "csv_file")
    assert error.startswith("The first row must be a header naming the columns")
    assert "found: email, mode" in error


def test_csv_in_latin_1(course, team):
    data = form(csv_file=_upload("identifier\nJosé@example.org\n".encode("latin-1")))
    error = _refused(signed_in(team), course, data, "csv_file")
    assert error == "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again."


def test_a_formula_cell_is_invalid_and_neutralised_in_the_results(course, team, learners):
    content = f"identifier\n=cmd|' /C calc'!A0\n{learners[0].username}\n+SUM(A1)\n".encode()
    client = signed_in(team)
    client.post(tab_url(course), form(action="unenroll", csv_file=_upload(content)))
    job = MembershipJob.objects.get()
    assert job.plan_counts == {"invalid_identifier": 2, "will_unenroll": 1}
    client.post(job_url("job-confirm", job))
    job_run(job.pk)

    response = client.get(job_url("job-results", job))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == list(RESULT_COLUMNS)
    formula, learner, plus = rows[1:]
    note = "Invalid email address or username (looks like a spreadsheet formula)"
    assert formula == ["'=cmd|' /C calc'!A0", "", "false", "", "false", "false", "false", "",
                       "false", "false", "invalid_identifier", note]  # fmt: skip
    name = learners[0].username
    assert learner == [name, name, "true", "audit", "false", "false", "false", "audit",
                       "false", "false", "unenrolled", ""]  # fmt: skip
    assert (plus[0], plus[-2]) == ("'+SUM(A1)", "invalid_identifier")
