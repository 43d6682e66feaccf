"""Running “generate certificates” on the worker: claim the job, issue in checkpointed chunks.

Each chunk is one transaction: decide the next ``CHUNK_SIZE`` enrollments of the course (by id,
after the checkpoint), issue what is due in bulk, move the checkpoint. A run stopped anywhere
leaves the last chunk committed with its checkpoint or rolled back, so the next run resumes
there. Running a finished job again changes nothing; issuing twice is impossible (unique
certificate per enrollment, and learners with a certificate are never chosen).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db import transaction

from enrollment_tracks.certificates import issuing, selectors
from enrollment_tracks.certificates.models import GenerationJob, JobStatus
from enrollment_tracks.core import clock

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
#: A running job whose heartbeat is older than this is taken over by the next run.
STALE_AFTER = dt.timedelta(minutes=5)


def _claim(job_id: uuid.UUID, runner: str) -> bool:
    with transaction.atomic():
        job = GenerationJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return False
        stale = job.heartbeat_at is None or job.heartbeat_at < clock.now() - STALE_AFTER
        if job.status == JobStatus.RUNNING and not stale:
            return False
        job.status = JobStatus.RUNNING
        job.runner = runner
        job.started_at = job.started_at or clock.now()
        job.heartbeat_at = clock.now()
        job.save(update_fields=["status", "runner", "started_at", "heartbeat_at"])
    return True


def run_one_chunk(job_id: uuid.UUID, runner: str, *, chunk_size: int = CHUNK_SIZE) -> bool:
    """Issue the next chunk; False when the job is finished or no longer this runner's."""
    with transaction.atomic():
        job = (
            GenerationJob.objects.select_for_update(of=("self",))
            .select_related("course", "created_by")
            .get(pk=job_id)
        )
        if job.status != JobStatus.RUNNING or job.runner != runner:
            return False
        course = job.course
        raw = issuing.fetch_after(course, job.checkpoint, chunk_size)
        if not raw:
            job.status = JobStatus.SUCCEEDED
            job.finished_at = clock.now()
            job.save(update_fields=["status", "finished_at"])
            return False
        rows = issuing.learner_rows(
            raw,
            passing_grade=selectors.passing_grade_of(course),
            certificates_active=selectors.certificates_active(course),
            verified=issuing.verified_in_range(course, raw[0][0], raw[-1][0]),
        )
        job.issued += issuing.issue_rows(
            course, rows, actor=job.created_by, job_id=job.pk, reason="generation job"
        )
        job.checkpoint = rows[-1].enrollment_id
        job.done = min(job.total, job.done + len(rows)) if job.total else job.done + len(rows)
        job.heartbeat_at = clock.now()
        job.save(update_fields=["issued", "checkpoint", "done", "heartbeat_at"])
    return True


def job_run(job_id: uuid.UUID, *, runner: str | None = None) -> str:
    """Run (or resume) a generation job to its end; returns its final status. Safe to repeat."""
    runner = runner or uuid.uuid4().hex
    if _claim(job_id, runner):
        try:
            while run_one_chunk(job_id, runner):
                pass
        except Exception as error:
            logger.exception("certificate generation job %s failed", job_id)
            with transaction.atomic():
                job = GenerationJob.objects.select_for_update().get(pk=job_id)
                if job.status == JobStatus.RUNNING and job.runner == runner:
                    job.status = JobStatus.FAILED
                    job.error = f"{type(error).__name__}: {error}"[:4000]
                    job.finished_at = clock.now()
                    job.save(update_fields=["status", "error", "finished_at"])
            raise
    return GenerationJob.objects.get(pk=job_id).status
