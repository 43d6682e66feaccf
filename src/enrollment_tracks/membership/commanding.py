"""Shared by the operators' commands: plan a change of track as a job, show it, maybe run it.

A dry run plans inside a transaction that is rolled back: it prints what would happen and
stores nothing. ``--commit`` stores the plan, confirms it and runs it in this process through
the same engine as the Membership tab (`runner.job_run`), so every change is audited.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.core.management.base import CommandError
from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import (
    ACTIVE_STATUSES,
    JobAction,
    JobSource,
    JobStatus,
    MembershipJob,
)
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.planning import JobRequest, check_request, job_plan
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import job_confirm

Write = Callable[[str], None]
DEFAULT_REASON = "management command"
_OUTCOME_LABELS = {
    **o.PLAN_LABELS,
    o.CHANGED: "Changed track",
    o.ERROR: "Error",
    o.CANCELLED: "Not processed (the job was cancelled)",
}


def actor_for(username: str | None) -> User:
    """The person the audit trail names: ``--actor``, else the first superuser."""
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r} (--actor).")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("No superuser exists: name the acting user with --actor USERNAME.")
    return user


def course_for(raw: str) -> CourseRun:
    try:
        return course_get(raw)
    except DomainError as error:
        raise CommandError(error.message) from None


def change_request(
    identifiers: Iterable[str], *, from_track: str, to_track: str, reason: str
) -> JobRequest:
    return JobRequest(
        action=JobAction.CHANGE_TRACK,
        entries=[Entry(identifier) for identifier in identifiers],
        to_track=to_track,
        from_track=from_track,
        reason=reason,
        source=JobSource.COMMAND,
    )


def check_change(
    *, actor: User, course: CourseRun, from_track: str, to_track: str, reason: str
) -> None:
    """Refuse, as a `DomainError`, a change the actor may not make or the course cannot take."""
    request = change_request([], from_track=from_track, to_track=to_track, reason=reason)
    check_request(actor=actor, course=course, request=request)


def plan_and_maybe_run(
    *, actor: User, course: CourseRun, request: JobRequest, commit: bool, write: Write
) -> MembershipJob | None:
    """Print the plan; with ``commit`` run the job here and print what happened.

    Returns the job that ran, or None for a dry run (whose plan was rolled back).
    """
    with transaction.atomic():
        job = job_plan(actor=actor, course=course, request=request)
        _write_counts(write, f"{course.key}: {job.total} learner(s) listed.", job.plan_counts)
        if not commit:
            transaction.set_rollback(True)
            write("Dry run: nothing changed. Add --commit to apply.")
            return None
    job_confirm(actor=actor, job=job)
    try:
        status = job_run(job.pk)
    except Exception as error:
        raise CommandError(
            f"The job {job.pk} failed: {error}. It resumes from its checkpoint when retried."
        ) from error
    while status in ACTIVE_STATUSES:  # a worker claimed the queued job first: wait for it
        time.sleep(0.5)
        status = MembershipJob.objects.values_list("status", flat=True).get(pk=job.pk)
    job.refresh_from_db()
    _write_counts(write, f"Job {job.pk}: {job.get_status_display().lower()}.", job.counts)
    if job.status != JobStatus.SUCCEEDED:
        raise CommandError(f"The job {job.pk} ended {job.status}: {job.error or 'see the admin'}")
    write(f"Successfully updated {job.counts.get(o.CHANGED, 0)} out of {job.total} users")
    return job


def _write_counts(write: Write, title: str, counts: dict[str, int]) -> None:
    write(title)
    for bucket, count in sorted(counts.items()):
        name, _, detail = bucket.partition(":")
        label = _OUTCOME_LABELS.get(name, name)
        write(f"  {label}{f' ({detail})' if detail else ''}: {count}")
