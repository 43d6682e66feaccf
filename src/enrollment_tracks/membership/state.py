"""The one guard for job status changes: checks the transition table, writes the history row."""

from __future__ import annotations

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict
from enrollment_tracks.membership.models import (
    TRANSITIONS,
    JobStatus,
    JobTransition,
    MembershipJob,
)


def job_transition(
    job: MembershipJob,
    to_status: JobStatus,
    *,
    actor: User | None = None,
    note: str = "",
    fields: tuple[str, ...] = (),
) -> None:
    """Move ``job`` (locked by the caller) to ``to_status`` and save it with ``fields``."""
    if to_status not in TRANSITIONS[job.status]:
        raise Conflict(
            f"A {job.get_status_display().lower()} job cannot become {to_status.label.lower()}.",
            code="job_state",
        )
    now = clock.now()
    JobTransition.objects.create(
        job=job, from_status=job.status, to_status=to_status, actor=actor, note=note, created_at=now
    )
    job.status = to_status
    changed = {"status", *fields}
    if to_status == JobStatus.QUEUED:
        job.queued_at = now
        changed.add("queued_at")
    if to_status == JobStatus.RUNNING:
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        changed |= {"started_at", "heartbeat_at"}
    if to_status in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED):
        job.finished_at = now
        changed.add("finished_at")
    job.save(update_fields=sorted(changed))
