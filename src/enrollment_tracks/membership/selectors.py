"""Reads of membership jobs for the page, the API and the commands (no writes here)."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.membership.models import JobItem, JobResult, MembershipJob


def job_list(*, course: CourseRun) -> QuerySet[MembershipJob]:
    """The course's jobs, newest first, with the person who started each."""
    return (
        MembershipJob.objects.filter(course=course)
        .select_related("course", "created_by")
        .order_by("-created_at", "-id")
    )


def job_get(*, course: CourseRun, job_id: uuid.UUID) -> MembershipJob:
    """The job ``job_id`` of ``course``; ``NotFound`` if unknown or of another course."""
    job = job_list(course=course).filter(pk=job_id).first()
    if job is None:
        raise NotFound("This course has no such membership job.", code="job_not_found")
    return job


def job_item_list(*, job: MembershipJob) -> QuerySet[JobItem]:
    """The job's identifiers in input order, with the account each resolved to."""
    return JobItem.objects.filter(job=job).select_related("user").order_by("position")


def job_results_between(*, job: MembershipJob, first: int, last: int) -> dict[int, JobResult]:
    """The results of the items at positions ``first``..``last`` processed so far, by position."""
    if last < first:
        return {}
    rows = JobResult.objects.filter(job=job, position__gte=first, position__lte=last)
    return {row.position: row for row in rows}
