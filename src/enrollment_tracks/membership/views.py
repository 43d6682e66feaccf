"""The instructor dashboard's Membership tab: plan a batch, confirm it, follow it, read it.

Course team of the course and global staff only (`course_team_only`); a job is always looked up
within the course of the URL, so another course's job is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.membership import reports, selectors, services
from enrollment_tracks.membership.forms import MembershipForm
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.tracks.selectors import course_tracks
from enrollment_tracks.web.errors import add_to_form, raise_for_page
from enrollment_tracks.web.views.common import current_user
from enrollment_tracks.web.views.instructor import course_team_only

JOBS_LISTED = 50
FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


def _form(course: CourseRun, *args: Any, **kwargs: Any) -> MembershipForm:
    tracks = course_tracks(course, include_expired=True, learner_visible_only=False)
    return MembershipForm(*args, tracks=tracks, **kwargs)


def _job(course: CourseRun, job_id: uuid.UUID) -> MembershipJob:
    try:
        return selectors.job_get(course=course, job_id=job_id)
    except DomainError as error:
        raise_for_page(error)
        raise


def _to_job(job: MembershipJob) -> HttpResponse:
    return redirect("membership:job", course_key=job.course.key, job_id=job.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@course_team_only
def membership_tab(request: HttpRequest, course: CourseRun) -> HttpResponse:
    """GET: the form and the jobs list. POST: plan the job (a dry run) and show its plan."""
    if request.method == "POST":
        form = _form(course, request.POST, request.FILES)
        if form.is_valid():
            try:
                job = services.job_plan(
                    actor=current_user(request), course=course, request=form.to_request()
                )
            except DomainError as error:
                add_to_form(form, error)
            else:
                return _to_job(job)
    else:
        form = _form(course, initial={"request_key": uuid.uuid4().hex})
    jobs = selectors.job_list(course=course)[:JOBS_LISTED]
    context = {
        "course": course,
        "tab": "membership",
        "form": form,
        "jobs": reports.job_lines(jobs),
    }
    return render(
        request, "membership/membership.html", context, status=400 if form.errors else 200
    )


def _live_context(job: MembershipJob, *, first_poll: bool) -> dict[str, Any]:
    finished = job.status in FINISHED
    return {
        "job": job,
        "finished": finished,
        "first_poll": first_poll,
        "results": reports.result_buckets(job) if finished else [],
        "counts": [] if finished else reports.count_summary(job),
        "history": reports.job_history(job),
    }


@require_GET
@course_team_only
def job_page(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    job = _job(course, job_id)
    context: dict[str, Any] = {
        "course": course,
        "tab": "membership",
        "to_track_name": reports.track_name(job.to_track) if job.to_track else "",
        "from_track_name": reports.track_name(job.from_track) if job.from_track else "",
        **_live_context(job, first_poll=True),
    }
    if job.status == JobStatus.PLANNED:
        context["plan"] = reports.plan_buckets(job)
    return render(request, "membership/job.html", context)


@require_GET
@course_team_only
def job_progress(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    """The job page's live part; once the job is finished it no longer asks to be polled."""
    job = _job(course, job_id)
    return render(request, "membership/_live.html", _live_context(job, first_poll=False))


@require_POST
@course_team_only
def job_confirm(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    job = _job(course, job_id)
    try:
        job = services.job_confirm(actor=current_user(request), job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Job {job.get_status_display().lower()}.")
    return _to_job(job)


@require_POST
@course_team_only
def job_cancel(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    job = services.job_cancel(actor=current_user(request), job=_job(course, job_id))
    if job.status == JobStatus.CANCELLED:
        messages.success(request, "Job cancelled.")
    elif job.cancel_requested:
        messages.success(request, "Cancel requested: the job stops after its current chunk.")
    else:
        messages.error(
            request, f"The job is {job.get_status_display().lower()}: too late to cancel."
        )
    return _to_job(job)


@require_POST
@course_team_only
def job_retry(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    job = services.job_retry(actor=current_user(request), job=_job(course, job_id))
    if job.status == JobStatus.QUEUED:
        messages.success(request, "Job queued again: it resumes where it stopped.")
    else:
        messages.error(request, f"Only a failed job can be retried; this one is {job.status}.")
    return _to_job(job)


@require_GET
@course_team_only
def job_results_csv(request: HttpRequest, course: CourseRun, job_id: uuid.UUID) -> HttpResponse:
    job = _job(course, job_id)
    response = StreamingHttpResponse(reports.results_csv(job), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="membership-{job.pk}-results.csv"'
    # `course_team_only` is typed for HttpResponse; a streamed response is served the same way.
    return cast(HttpResponse, response)
