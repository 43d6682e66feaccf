"""Shared by the operators' commands: plan a change of track as a job, show it, maybe run it."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import CommandError

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.membership.models import JobAction, JobSource, MembershipJob
from enrollment_tracks.membership.outcomes import PLAN_LABELS
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.planning import JobRequest, job_plan
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.services import job_cancel, job_confirm


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


def plan_change(
    *,
    actor: User,
    course: CourseRun,
    identifiers: list[str],
    from_track: str,
    to_track: str,
    reason: str,
) -> MembershipJob:
    try:
        return job_plan(
            actor=actor,
            course=course,
            request=JobRequest(
                action=JobAction.CHANGE_TRACK,
                entries=[Entry(identifier) for identifier in identifiers],
                to_track=to_track,
                from_track=from_track,
                reason=reason,
                source=JobSource.COMMAND,
            ),
        )
    except DomainError as error:
        raise CommandError(f"{course.key}: {error.message}") from None


def show_and_maybe_run(
    job: MembershipJob, *, actor: User, commit: bool, write: Callable[[str], None]
) -> None:
    """Print the plan; with ``commit`` run the job here and print what happened."""
    write(f"{job.course.key}: {job.total} learner(s) listed.")
    for bucket, count in sorted(job.plan_counts.items()):
        label = PLAN_LABELS.get(bucket.split(":")[0], bucket)
        detail = f" ({bucket.split(':', 1)[1]})" if ":" in bucket else ""
        write(f"  {label}{detail}: {count}")
    if not commit:
        job_cancel(actor=actor, job=job)
        write("Dry run: nothing changed. Add --commit to apply.")
        return
    job_confirm(actor=actor, job=job)
    status = job_run(job.pk)
    job.refresh_from_db()
    changed = job.counts.get("changed", 0)
    write(f"Successfully updated {changed} out of {job.total} users (job {job.pk}: {status}).")
