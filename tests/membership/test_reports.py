"""The job's buckets and its results file, read straight from the reports module."""

from __future__ import annotations

import csv
import io

import pytest

from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership import reports
from enrollment_tracks.membership.models import JobStatus
from enrollment_tracks.membership.parsing import parse_text
from enrollment_tracks.membership.runner import _claim, _finish, _run_one_chunk, job_run
from enrollment_tracks.membership.services import JobRequest, job_cancel, job_confirm, job_plan
from tests.factories import UserFactory, make_course, make_course_team, make_track


@pytest.fixture
def course():
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    return course


@pytest.fixture
def staff(course):
    return make_course_team(course)


def plan(staff, course, text, **options):
    options.setdefault("action", "enroll")
    request = JobRequest(entries=parse_text(text), **options)
    return job_plan(actor=staff, course=course, request=request)


def csv_rows(job) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(reports.results_csv(job)))))


def test_a_bucket_lists_the_first_200_and_counts_the_rest(staff, course):
    job = plan(staff, course, " ".join(f"ghost{n:03d}" for n in range(205)))
    [bucket] = reports.plan_buckets(job)
    assert (bucket.key, bucket.label, bucket.count) == ("unknown_user", "Unknown user", 205)
    assert len(bucket.listed) == 200
    assert bucket.listed[0] == reports.Listed("ghost000", "")
    assert bucket.more == 5


def test_a_change_of_track_is_split_per_pair(staff, course):
    on_audit, on_honor, elsewhere = UserFactory.create_batch(3)
    enrollment_create(actor=staff, learner=on_audit, course=course)
    enrollment_create(actor=staff, learner=on_honor, course=course, track="honor")
    job = plan(
        staff,
        course,
        f"{on_audit.username} {on_honor.email} {elsewhere.username}",
        action="change_track",
        to_track="audit",
    )
    buckets = {bucket.key: bucket for bucket in reports.plan_buckets(job)}
    assert list(buckets) == ["not_enrolled", "will_change:honor→audit", "already_on"]
    change = buckets["will_change:honor→audit"]
    assert change.label == "Will change track from Honor to Audit"
    assert change.listed == [reports.Listed(on_honor.email, on_honor.username)]
    assert reports.count_summary(job) == [
        ("not enrolled", 1), ("will change track", 1), ("already on the target track", 1),
    ]  # fmt: skip


def test_results_follow_open_edx_order_and_messages(staff, course):
    learner = UserFactory()
    job = plan(staff, course, f"bad@@x newcomer@example.org {learner.username}", auto_enroll=True)
    job_confirm(actor=staff, job=job)
    job_run(job.pk)
    job.refresh_from_db()
    buckets = reports.result_buckets(job)
    assert [(b.key, b.label, b.count) for b in buckets] == [
        ("invalid_identifier", "The following email addresses and/or usernames are invalid:", 1),
        ("enrolled", "Successfully enrolled the following users:", 1),
        ("autoenrolled", "These users will be enrolled once they register:", 1),
    ]
    assert buckets[1].listed == [reports.Listed(learner.username, learner.username)]
    assert buckets[2].listed == [reports.Listed("newcomer@example.org", "newcomer@example.org")]
    assert reports.count_summary(job) == [
        ("enrolled", 1), ("enrolled on registration", 1), ("invalid", 1),
    ]  # fmt: skip

    rows = {row["identifier"]: row for row in csv_rows(job)}
    invited = rows["newcomer@example.org"]
    assert (invited["user"], invited["before_allowed"], invited["after_allowed"]) == (
        "", "false", "true",
    )  # fmt: skip
    assert (invited["after_auto_enroll"], invited["outcome"]) == ("true", "autoenrolled")
    enrolled = rows[learner.username]
    assert (enrolled["before_enrolled"], enrolled["after_enrolled"]) == ("false", "true")
    assert (enrolled["after_track"], enrolled["outcome"]) == ("audit", "enrolled")


def test_items_not_reached_are_pending_then_cancelled(staff, course, settings):
    settings.MEMBERSHIP_CHUNK_SIZE = 2
    learners = UserFactory.create_batch(5)
    job = plan(staff, course, " ".join(learner.username for learner in learners))
    assert {row["outcome"] for row in csv_rows(job)} == {"pending"}
    assert {row["before_enrolled"] for row in csv_rows(job)} == {""}

    job_confirm(actor=staff, job=job)
    assert _claim(job.pk, "test-runner")
    assert _run_one_chunk(job.pk, "test-runner", 0, 2)
    job.refresh_from_db()
    outcomes = [row["outcome"] for row in csv_rows(job)]
    assert outcomes == ["enrolled", "enrolled", "pending", "pending", "pending"]

    job_cancel(actor=staff, job=job)
    assert not _run_one_chunk(job.pk, "test-runner", 2, 4)
    _finish(job.pk, "test-runner")
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    outcomes = [row["outcome"] for row in csv_rows(job)]
    assert outcomes == ["enrolled", "enrolled", "cancelled", "cancelled", "cancelled"]
    last = reports.result_buckets(job)[-1]
    assert (last.key, last.count) == ("cancelled", 3)
    assert last.label == "Not processed (the job was cancelled):"
    assert [item.identifier for item in last.listed] == [u.username for u in learners[2:]]


def test_the_results_file_is_one_query(staff, course, django_assert_num_queries):
    job = plan(staff, course, " ".join(f"ghost{n}" for n in range(50)))
    with django_assert_num_queries(1):
        lines = list(reports.results_csv(job))
    assert len(lines) == 51


def test_every_cell_is_neutralised(staff, course):
    job = plan(staff, course, "-1+1 @SUM(A1) +x")
    assert [row["identifier"] for row in csv_rows(job)] == ["'-1+1", "'@SUM(A1)", "'+x"]
