"""Running a job on the worker: claim it, apply checkpointed chunks, finish.

Each chunk is one transaction that applies the changes, writes the results and queued emails,
and moves the checkpoint (``job.done``). A worker killed anywhere leaves the last chunk either
committed with its checkpoint or rolled back: the next run continues from the checkpoint and
nobody is changed or emailed twice. A running job whose heartbeat is older than
``MEMBERSHIP_STALE_SECONDS`` is taken over by the next run (`jobs_recover_stale`).

A worker asked to stop (`runs_stop`, on SIGTERM) ends its run after the current chunk and
hands the job back: no heartbeat and a new task, so the next worker continues it at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from enrollment_tracks.core import clock
from enrollment_tracks.membership.applying import apply_chunk, chunk_items
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.state import job_transition

logger = logging.getLogger(__name__)
_stopping = threading.Event()


def runs_stop() -> None:
    """Ask the job runs of this process to hand their job back after the current chunk.

    Called from a signal handler (``run_worker`` on SIGINT/SIGTERM): it only sets a flag.
    """
    _stopping.set()


def _stale_before() -> dt.datetime:
    return clock.now() - dt.timedelta(seconds=settings.MEMBERSHIP_STALE_SECONDS)


def _claim(job_id: uuid.UUID, runner: str) -> bool:
    """Make ``runner`` the owner of a queued job, or of a running job nobody looks after."""
    with transaction.atomic():
        job = MembershipJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            return False
        if job.status == JobStatus.QUEUED:
            if job.cancel_requested:
                job_transition(job, JobStatus.CANCELLED, note="cancelled before it started")
                return False
            job.runner = runner
            job_transition(job, JobStatus.RUNNING, fields=("runner",))
            return True
        stale = job.heartbeat_at is None or job.heartbeat_at < _stale_before()
        if job.status == JobStatus.RUNNING and stale:
            previous = job.runner
            job.runner = runner
            job_transition(
                job,
                JobStatus.RUNNING,
                note=f"taken over from {previous or 'a stopped worker'} at item {job.done}",
                fields=("runner",),
            )
            return True
    return False


def _run_one_chunk(job_id: uuid.UUID, runner: str) -> bool:
    """Apply the next chunk; False when the job is finished, cancelled or no longer ours."""
    with transaction.atomic():
        job = (
            MembershipJob.objects.select_for_update(of=("self",))
            .select_related("course", "created_by")
            .get(pk=job_id)
        )
        if job.status != JobStatus.RUNNING or job.runner != runner:
            return False
        if job.cancel_requested:
            job_transition(job, JobStatus.CANCELLED, note=f"cancelled after item {job.done}")
            return False
        items = chunk_items(job, job.done, settings.MEMBERSHIP_CHUNK_SIZE)
        if not items:
            job_transition(job, JobStatus.SUCCEEDED)
            return False
        counts = apply_chunk(job, items, actor=job.created_by)
        merged = Counter(job.counts) + counts
        job.counts = dict(merged)
        job.done = items[-1].position + 1
        job.heartbeat_at = clock.now()
        job.save(update_fields=["counts", "done", "heartbeat_at"])
    return True


def job_run(job_id: uuid.UUID, *, runner: str | None = None) -> str:
    """Run (or resume) a job to its end; returns its final status. Safe to call twice."""
    runner = runner or uuid.uuid4().hex
    if not _claim(job_id, runner):
        return MembershipJob.objects.get(pk=job_id).status
    try:
        while _run_one_chunk(job_id, runner):
            if _stopping.is_set():
                _hand_back(job_id, runner)
                break
    except Exception as error:
        logger.exception("membership job %s failed", job_id)
        with transaction.atomic():
            job = MembershipJob.objects.select_for_update().get(pk=job_id)
            if job.status == JobStatus.RUNNING and job.runner == runner:
                job.error = f"{type(error).__name__}: {error}"[:4000]
                job_transition(job, JobStatus.FAILED, fields=("error",))
        raise
    return MembershipJob.objects.get(pk=job_id).status


def _hand_back(job_id: uuid.UUID, runner: str) -> None:
    """Leave the job, between two chunks, to the next worker: no owner, no heartbeat, a task."""
    from enrollment_tracks.membership.tasks import membership_job_run

    with transaction.atomic():
        job = MembershipJob.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RUNNING or job.runner != runner:
            return
        job.runner = ""
        job.heartbeat_at = None
        job.save(update_fields=["runner", "heartbeat_at"])
        membership_job_run.enqueue(str(job_id))
    logger.warning("membership job %s handed back at item %s: the worker stops", job_id, job.done)


def jobs_recover_stale() -> list[uuid.UUID]:
    """Queue a new run for every job a dead worker left behind; returns their ids.

    A running job with an old heartbeat, or a queued job that no worker started in time. The
    new run takes the job over from its checkpoint; a live owner keeps it (claims are locked).
    """
    from enrollment_tracks.membership.tasks import membership_job_run

    stale = _stale_before()
    running = MembershipJob.objects.filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True), status=JobStatus.RUNNING
    )
    queued = MembershipJob.objects.filter(status=JobStatus.QUEUED, queued_at__lt=stale)
    ids = list(running.values_list("pk", flat=True)) + list(queued.values_list("pk", flat=True))
    for job_id in ids:
        membership_job_run.enqueue(str(job_id))
    return ids
