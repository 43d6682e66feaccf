"""Chunks as checkpoints: a run applies exactly the chunks that have no results yet."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.membership import runner
from enrollment_tracks.membership.models import JobResult, JobStatus, MembershipJob
from enrollment_tracks.notifications.models import OutboxMessage
from tests.membership.conftest import confirmed_change_to_honor

pytestmark = pytest.mark.django_db

LEARNERS = 7


@pytest.fixture
def job(settings) -> MembershipJob:
    settings.MEMBERSHIP_CHUNK_SIZE = 2
    return confirmed_change_to_honor(LEARNERS, reason="Moving to honor")


def test_a_chunk_committed_out_of_order_is_not_applied_again(job):
    # A parallel run committed the second chunk (items 2 and 3), then its worker died.
    assert runner._claim(job.pk, "dead-worker")
    assert runner._run_one_chunk(job.pk, "dead-worker", 2, 4)
    job.refresh_from_db()
    assert (job.chunk_size, job.done, job.counts) == (2, 2, {"changed": 2})

    with clock.frozen_at(clock.now() + dt.timedelta(minutes=5)):  # its heartbeat is stale
        assert runner.job_run(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.counts) == (LEARNERS, {"changed": LEARNERS})
    positions = list(JobResult.objects.filter(job=job).values_list("position", flat=True))
    assert sorted(positions) == list(range(LEARNERS))
    audit = EnrollmentAudit.objects.filter(batch_job_id=job.pk)
    assert audit.count() == audit.values("learner_id").distinct().count() == LEARNERS
    assert OutboxMessage.objects.count() == LEARNERS  # nobody emailed twice
    assert set(Enrollment.objects.filter(course=job.course).values_list("track", flat=True)) == {
        "honor"
    }


def test_the_chunk_size_of_a_started_job_outlives_a_new_setting(job, settings):
    assert runner._claim(job.pk, "first")
    assert runner._run_one_chunk(job.pk, "first", 0, 2)
    settings.MEMBERSHIP_CHUNK_SIZE = 3  # an operator changed it before the job was resumed
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=5)):
        assert runner.job_run(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.chunk_size, job.done, job.counts) == (2, LEARNERS, {"changed": LEARNERS})
    assert JobResult.objects.filter(job=job).count() == LEARNERS


def test_a_chunk_of_a_job_taken_over_meanwhile_rolls_back(job):
    assert runner._claim(job.pk, "old")
    MembershipJob.objects.filter(pk=job.pk).update(runner="new")  # a takeover, in between
    assert not runner._run_one_chunk(job.pk, "old", 0, 2)
    assert not JobResult.objects.filter(job=job).exists()
    assert not EnrollmentAudit.objects.filter(batch_job_id=job.pk).exists()
