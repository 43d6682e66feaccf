"""Membership jobs: plan (dry run), confirm, cancel. Running happens on the worker."""

from __future__ import annotations

from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import PermissionDenied
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.planning import JobRequest, job_plan
from enrollment_tracks.membership.state import job_transition

__all__ = ["JobRequest", "job_cancel", "job_confirm", "job_plan", "job_retry"]


def _check(actor: User, job: MembershipJob) -> None:
    if not can_manage_course(actor, job.course):
        raise PermissionDenied(
            "Only the course team can manage this course's jobs.", code="not_course_staff"
        )


def job_confirm(*, actor: User, job: MembershipJob) -> MembershipJob:
    """Queue a planned job for the worker. Confirming twice (a double click) queues it once."""
    from enrollment_tracks.membership.tasks import membership_job_run

    _check(actor, job)
    with transaction.atomic():
        locked = MembershipJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.PLANNED:
            return locked
        job_transition(locked, JobStatus.QUEUED, actor=actor)
        # Enqueued in the same transaction: the job and its task row commit together.
        membership_job_run.enqueue(str(locked.pk))
    return locked


def job_cancel(*, actor: User, job: MembershipJob) -> MembershipJob:
    """A planned or queued job stops at once; a running one after its current chunk."""
    _check(actor, job)
    with transaction.atomic():
        locked = MembershipJob.objects.select_for_update().get(pk=job.pk)
        if locked.status in (JobStatus.PLANNED, JobStatus.QUEUED):
            job_transition(locked, JobStatus.CANCELLED, actor=actor)
        elif locked.status == JobStatus.RUNNING and not locked.cancel_requested:
            locked.cancel_requested = True
            locked.save(update_fields=["cancel_requested"])
    return locked


def job_retry(*, actor: User, job: MembershipJob) -> MembershipJob:
    """Queue a failed job again; it resumes from its checkpoint."""
    from enrollment_tracks.membership.tasks import membership_job_run

    _check(actor, job)
    with transaction.atomic():
        locked = MembershipJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == JobStatus.FAILED:
            locked.error = ""
            job_transition(locked, JobStatus.QUEUED, actor=actor, fields=("error",))
            membership_job_run.enqueue(str(locked.pk))
    return locked
