"""The worker's maintenance and `run_worker`: jobs a dead or stopping worker left go on."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.core import clock
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.membership import runner
from enrollment_tracks.membership.maintenance import maintenance_interval, maintenance_run
from enrollment_tracks.membership.models import JobStatus, JobTransition, MembershipJob
from enrollment_tracks.notifications.models import OutboxMessage, OutboxStatus
from tests.membership.conftest import confirmed_change_to_honor

LEARNERS = 6


@pytest.fixture
def job(settings) -> MembershipJob:
    """A confirmed change of track (audit → honor, notify on) in chunks of two learners."""
    settings.MEMBERSHIP_CHUNK_SIZE = 2
    settings.MEMBERSHIP_STALE_SECONDS = 120
    return confirmed_change_to_honor(LEARNERS)


@pytest.fixture
def stopping():
    """The process-wide stop request, as SIGTERM sets it in `run_worker`; cleared after."""
    runner.runs_stop()
    yield
    runner._stopping.clear()


def _job_tasks(job: MembershipJob) -> int:
    return DBTaskResult.objects.filter(
        task_path__endswith="membership_job_run", args_kwargs__args=[str(job.pk)]
    ).count()


def test_the_interval_is_half_the_stale_time(settings):
    settings.MEMBERSHIP_STALE_SECONDS = 120
    assert maintenance_interval() == 60
    settings.MEMBERSHIP_STALE_SECONDS = 1
    assert maintenance_interval() == 1.0


def test_a_job_whose_worker_went_silent_is_queued_again_and_taken_over(job):
    runner._claim(job.pk, "dead-worker")
    assert maintenance_run().jobs_requeued == 0  # its heartbeat is fresh: the owner is alive
    tasks = _job_tasks(job)

    later = clock.now() + dt.timedelta(minutes=3)
    with clock.frozen_at(later):
        assert maintenance_run().jobs_requeued == 1
        assert _job_tasks(job) == tasks + 1
        assert runner.job_run(job.pk) == JobStatus.SUCCEEDED
    notes = JobTransition.objects.filter(job=job, from_status="running", to_status="running")
    assert list(notes.values_list("note", flat=True)) == ["taken over from dead-worker at item 0"]


def test_a_stopping_worker_hands_the_job_back_after_one_chunk(job, stopping):
    tasks = _job_tasks(job)
    assert runner.job_run(job.pk) == JobStatus.RUNNING
    job.refresh_from_db()
    assert (job.done, job.runner, job.heartbeat_at) == (2, "", None)
    assert _job_tasks(job) == tasks + 1  # the next worker picks it up at once
    assert Enrollment.objects.filter(course=job.course, track="honor").count() == 2
    runner._stopping.clear()

    assert maintenance_run().jobs_requeued == 1  # (also found without its task)
    assert runner.job_run(job.pk) == JobStatus.SUCCEEDED
    assert Enrollment.objects.filter(course=job.course, track="honor").count() == LEARNERS
    assert OutboxMessage.objects.count() == LEARNERS
    notes = JobTransition.objects.filter(job=job, from_status="running", to_status="running")
    assert list(notes.values_list("note", flat=True)) == [
        "taken over from a stopped worker at item 2"
    ]


def test_maintenance_parks_interrupted_sends_and_flushes_overdue_mail(job, settings):
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    runner.job_run(job.pk)
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.order_by("pk")[0].pk).update(
        status=OutboxStatus.SENDING, claimed_at=clock.now()
    )
    assert maintenance_run().messages_parked == 0  # claimed a moment ago: a live worker's
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=11)):
        report = maintenance_run()
    assert (report.messages_parked, report.flush_queued) == (1, True)


@pytest.mark.django_db(transaction=True)  # db_worker closes a connection left in a transaction
def test_run_worker_runs_the_queue_with_db_worker_options(job):
    out = StringIO()
    call_command(
        "run_worker", "--batch", "--no-startup-delay", "--interval", "0", "-v", "0", stdout=out
    )
    assert out.getvalue().startswith("Worker maintenance: 0 job(s) re-queued")
    job.refresh_from_db()
    assert (job.status, job.done) == (JobStatus.SUCCEEDED, LEARNERS)
    assert Enrollment.objects.filter(course=job.course, track="honor").count() == LEARNERS
    # The outbox was flushed by the same worker: one email per learner, each sent once.
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == LEARNERS
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        OutboxMessage.objects.values_list("to_email", flat=True)
    )
