"""The “generate certificates” job: set-based chunks, progress, idempotent, resumable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.certificates import generation, services
from enrollment_tracks.certificates.models import (
    Certificate,
    CertificateHistory,
    GenerationJob,
    JobStatus,
)
from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.models import Enrollment
from tests.certificates.conftest import approve_verification, configure, enroll, grade


@pytest.fixture
def populated(course):
    """Seven learners: three who qualify (honor passing, verified passing with IDV, allow-
    listed honor failing... left out here), and four who do not."""
    configure(course, active=False)  # so that grading issues nothing yet
    passing_honor = [enroll(course, "honor") for _ in range(2)]
    verified_ok = enroll(course, "verified")
    approve_verification(verified_ok)
    verified_no_idv = enroll(course, "verified")
    failing_honor = enroll(course, "honor")
    audit = enroll(course, "audit")
    ungraded = enroll(course, "honor")
    grade(
        course,
        *[(u, "80") for u in passing_honor],
        (verified_ok, "70"),
        (verified_no_idv, "90"),
        (failing_honor, "10"),
        (audit, "99"),
    )
    configure(course, active=True)
    assert not Certificate.objects.exists()
    return {
        "qualify": {*passing_honor, verified_ok},
        "others": {verified_no_idv, failing_honor, audit, ungraded},
    }


def test_the_job_issues_to_everyone_who_qualifies_with_progress(
    course, populated, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.generation_job_start(actor=None, course=course)
    assert (job.status, job.total, job.done) == (JobStatus.QUEUED, 7, 0)
    assert DBTaskResult.objects.filter(args_kwargs__args=[str(job.pk)]).count() == 1
    assert generation.job_run(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.total, job.issued, job.progress_percent) == (7, 7, 3, 100)
    assert {c.user for c in Certificate.objects.all()} == populated["qualify"]
    assert set(CertificateHistory.objects.values_list("job_id", flat=True)) == {job.pk}


def test_one_unfinished_job_per_course_and_running_again_issues_nobody_twice(course, populated):
    first = services.generation_job_start(actor=None, course=course)
    assert services.generation_job_start(actor=None, course=course).pk == first.pk
    generation.job_run(first.pk)
    assert generation.job_run(first.pk) == JobStatus.SUCCEEDED  # a finished job: no-op
    second = services.generation_job_start(actor=None, course=course)
    assert second.pk != first.pk
    generation.job_run(second.pk)
    second.refresh_from_db()
    assert second.issued == 0
    assert Certificate.objects.count() == 3
    assert CertificateHistory.objects.count() == 3


def test_a_stopped_job_resumes_from_its_checkpoint(course, populated):
    job = services.generation_job_start(actor=None, course=course)
    assert generation._claim(job.pk, "dead-worker")
    assert generation.run_one_chunk(job.pk, "dead-worker", chunk_size=3)
    # The worker dies here: its heartbeat grows old.
    GenerationJob.objects.filter(pk=job.pk).update(
        heartbeat_at=clock.now() - generation.STALE_AFTER - dt.timedelta(seconds=1)
    )
    job.refresh_from_db()
    first_three = list(Enrollment.objects.filter(course=course).order_by("id")[:3])
    assert (job.status, job.done, job.checkpoint) == (JobStatus.RUNNING, 3, first_three[-1].pk)
    issued_before = job.issued
    assert issued_before == Certificate.objects.count() > 0
    # The owner's heartbeat is old: the next run takes the job over from the checkpoint.
    assert generation.job_run(job.pk, runner="next-worker") == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.issued) == (7, 3)
    assert Certificate.objects.count() == 3


def test_a_live_owner_keeps_its_job(course, populated):
    job = services.generation_job_start(actor=None, course=course)
    assert generation._claim(job.pk, "owner")
    assert generation.job_run(job.pk, runner="intruder") == JobStatus.RUNNING
    assert not generation.run_one_chunk(job.pk, "intruder")


def test_at_most_one_certificate_per_enrollment_in_the_database(course):
    configure(course)
    learner = enroll(course, "honor")
    grade(course, (learner, "80"))
    existing = Certificate.objects.get(user=learner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            enrollment_id=existing.enrollment_id,
            user=learner,
            course=course,
            track="honor",
            name="x",
            issued_at=clock.now(),
        )


def test_a_job_that_fails_is_marked_failed(course, populated, monkeypatch):
    job = services.generation_job_start(actor=None, course=course)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(generation.issuing, "issue_rows", broken)
    with pytest.raises(RuntimeError):
        generation.job_run(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "database went away" in job.error
    assert GenerationJob.objects.filter(course=course, status=JobStatus.QUEUED).count() == 0
