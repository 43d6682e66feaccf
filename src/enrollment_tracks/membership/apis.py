"""Membership over HTTP: Open edX's ``students_update_enrollment`` and our own job API.

Thin views: authenticate (DRF's session authentication, CSRF enforced), authorize with
`courses.permissions.can_manage_course`, parse with a serializer, call the membership services
or selectors, render. Every error goes through `core.api.exception_handler`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any, cast

from django.conf import settings
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.api import ErrorStyle, Pagination, error_responses
from enrollment_tracks.core.errors import PermissionDenied
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.membership import selectors, services
from enrollment_tracks.membership.compat import openedx_results
from enrollment_tracks.membership.docs import (
    COURSE_TEAM,
    FINISHED_JOB_EXAMPLE,
    JOB_CREATE_EXAMPLES,
    JOB_EXAMPLE,
    JOB_PAGE_EXAMPLE,
    RESULTS_PAGE_EXAMPLE,
    STUDENTS_UPDATE_ENROLLMENT_EXAMPLES,
)
from enrollment_tracks.membership.models import MembershipJob
from enrollment_tracks.membership.planning import JobRequest
from enrollment_tracks.membership.runner import job_run
from enrollment_tracks.membership.serializers import (
    COMPAT_RESPONSE,
    JobCreateSerializer,
    JobResultRowSerializer,
    JobSerializer,
    StudentsUpdateEnrollmentSerializer,
    compat_async_body,
    result_rows,
)

logger = logging.getLogger(__name__)
TAG = "membership"
COMPAT_TAG = "openedx-compatible"


class CourseTeamAPIView(APIView):
    """A view about one course that only its course team (or global staff) may use."""

    error_style = ErrorStyle.OURS

    def course_for(self, request: Request, course_key: str) -> CourseRun:
        course = course_get(course_key)
        if not can_manage_course(request.user, course):
            raise PermissionDenied(
                "Only the course team can manage this course's enrollments.",
                code="not_course_staff",
            )
        return course

    def job_for(self, request: Request, course_key: str, job_id: uuid.UUID) -> MembershipJob:
        return selectors.job_get(course=self.course_for(request, course_key), job_id=job_id)

    def actor(self, request: Request) -> User:
        return cast(User, request.user)  # IsAuthenticated ran before the handler

    def job_response(self, job: MembershipJob, code: int = status.HTTP_200_OK) -> Response:
        return Response(JobSerializer(job, context={"request": self.request}).data, status=code)


# ------------------------------------------------------------------------- Open edX-compatible


def _compat_submit(
    actor: User, course: CourseRun, request: JobRequest, *, wait: bool
) -> MembershipJob:
    """Plan and queue the job; with ``wait``, run it here and return it finished.

    A job the worker claimed first keeps running there; the caller then answers with the
    asynchronous shape. A job that fails here is recorded as failed by the runner, and each
    identifier it did not process is answered as an Open edX ``general_error``.
    """
    job = services.job_confirm(
        actor=actor, job=services.job_plan(actor=actor, course=course, request=request)
    )
    if wait:
        try:
            job_run(job.pk)
        except Exception:
            logger.exception("students_update_enrollment: job %s failed in the request", job.pk)
    return selectors.job_get(course=course, job_id=job.pk)


@method_decorator(cache_control(no_cache=True, no_store=True, must_revalidate=True), "dispatch")
@method_decorator(ensure_csrf_cookie, "dispatch")
class StudentsUpdateEnrollmentView(CourseTeamAPIView):
    """Open edX's batch enroll / unenroll of the instructor dashboard's Membership tab."""

    error_style = ErrorStyle.OPENEDX

    @extend_schema(
        operation_id="students_update_enrollment",
        tags=[COMPAT_TAG],
        summary="Enroll or unenroll a list of learners (Open edX-compatible)",
        description=(
            "Open edX's `students_update_enrollment`, form-encoded or JSON. Lists of at most "
            "`MEMBERSHIP_SYNC_LIMIT` identifiers (default 100) run in the request and answer "
            "with one result per identifier, in input order (HTTP 200 even when some fail). "
            "Longer lists, or `async_processing=true`, run as a background membership job and "
            "answer with Open edX's asynchronous shape, whose `task_id` is the job's id "
            "(follow it at `/api/membership/v1/courses/{course_key}/jobs/{task_id}/`). An "
            "identifier given twice is handled once; its duplicate repeats the first "
            "occurrence's result.\n\n" + COURSE_TEAM
        ),
        request=StudentsUpdateEnrollmentSerializer,
        responses={
            200: COMPAT_RESPONSE,
            **error_responses(400, 403, 404, 413, style=ErrorStyle.OPENEDX),
        },
        examples=STUDENTS_UPDATE_ENROLLMENT_EXAMPLES,
    )
    def post(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = StudentsUpdateEnrollmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job_request = serializer.to_request()
        wait = not serializer.validated_data["async_processing"] and (
            len(job_request.entries) <= settings.MEMBERSHIP_SYNC_LIMIT
        )
        job = _compat_submit(self.actor(request), course, job_request, wait=wait)
        if not wait or job.is_active:
            return Response(compat_async_body(job))
        items = list(selectors.job_item_list(job=job))
        results = selectors.job_results_between(job=job, first=0, last=job.total - 1)
        return Response(
            {
                "action": job.action,
                "auto_enroll": job.auto_enroll,
                "results": openedx_results(
                    action=job.action, items=items, results=results, job_error=job.error
                ),
            }
        )


# ---------------------------------------------------------------------------- our own API


class JobListView(CourseTeamAPIView):
    """List the course's jobs; create one (a dry run unless ``dry_run`` is false)."""

    parser_classes = [JSONParser]
    pagination_class = Pagination

    @extend_schema(
        operation_id="membership_jobs_list",
        tags=[TAG],
        summary="The course's membership jobs, newest first",
        description="A page of the course's jobs (`?page=`, `?page_size=`), newest first.\n\n"
        + COURSE_TEAM,
        responses={200: JobSerializer(many=True), **error_responses(403, 404)},
        examples=[JOB_PAGE_EXAMPLE],
    )
    def get(self, request: Request, course_key: str) -> Response:
        jobs = selectors.job_list(course=self.course_for(request, course_key))
        paginator = Pagination()
        page = paginator.paginate_queryset(jobs, request, view=self)
        data = JobSerializer(cast(Any, page), many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="membership_jobs_create",
        tags=[TAG],
        summary="Plan a job (dry run by default), or plan and queue it",
        description=(
            "Give `identifiers` (a string or a list of strings) or `csv` (text with a header "
            "row). With `dry_run` true (the default) the job stays `planned` and "
            "`plan_counts` tells what would happen; confirm it to run it. With `dry_run` "
            "false it is queued at once. The same `request_key` gives back the same job."
            "\n\n" + COURSE_TEAM
        ),
        request=JobCreateSerializer,
        responses={201: JobSerializer, **error_responses(400, 403, 404, 413)},
        examples=JOB_CREATE_EXAMPLES,
    )
    def post(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = self.actor(request)
        job = services.job_plan(actor=actor, course=course, request=serializer.to_request())
        if not serializer.validated_data["dry_run"]:
            job = services.job_confirm(actor=actor, job=job)
        return self.job_response(job, status.HTTP_201_CREATED)


class JobDetailView(CourseTeamAPIView):
    """Poll this while the job runs: ``done`` of ``total``, ``counts`` per outcome."""

    @extend_schema(
        operation_id="membership_jobs_retrieve",
        tags=[TAG],
        summary="A job's status, progress and counts",
        description="Poll it while the job runs: `done` of `total`, `counts` per outcome.\n\n"
        + COURSE_TEAM,
        responses={200: JobSerializer, **error_responses(403, 404)},
        examples=[FINISHED_JOB_EXAMPLE],
    )
    def get(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        return self.job_response(self.job_for(request, course_key, job_id))


_ACTION_RESPONSES = {200: JobSerializer, **error_responses(403, 404)}


class JobConfirmView(CourseTeamAPIView):
    """Queue a planned job for the worker. Any other job is answered unchanged."""

    @extend_schema(
        operation_id="membership_jobs_confirm",
        tags=[TAG],
        summary="Queue a planned job (confirming twice queues it once)",
        description="Queues a planned job for the worker; any other job is answered "
        "unchanged.\n\n" + COURSE_TEAM,
        request=None,
        responses=_ACTION_RESPONSES,
        examples=[JOB_EXAMPLE],
    )
    def post(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        job = self.job_for(request, course_key, job_id)
        return self.job_response(services.job_confirm(actor=self.actor(request), job=job))


class JobCancelView(CourseTeamAPIView):
    """A planned or queued job is cancelled at once; a running one after its chunk."""

    @extend_schema(
        operation_id="membership_jobs_cancel",
        tags=[TAG],
        summary="Cancel a job (a running one stops after its current chunk)",
        description="A planned or queued job is cancelled at once; a running one after its "
        "current chunk (`cancel_requested` until then); a finished one is answered "
        "unchanged.\n\n" + COURSE_TEAM,
        request=None,
        responses=_ACTION_RESPONSES,
        examples=[JOB_EXAMPLE],
    )
    def post(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        job = self.job_for(request, course_key, job_id)
        return self.job_response(services.job_cancel(actor=self.actor(request), job=job))


class JobRetryView(CourseTeamAPIView):
    """Queue a failed job again. Any other job is answered unchanged."""

    @extend_schema(
        operation_id="membership_jobs_retry",
        tags=[TAG],
        summary="Queue a failed job again; it resumes from its checkpoint",
        description="Queues a failed job again; it resumes after the last chunk it "
        "finished. Any other job is answered unchanged.\n\n" + COURSE_TEAM,
        request=None,
        responses=_ACTION_RESPONSES,
        examples=[FINISHED_JOB_EXAMPLE],
    )
    def post(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        job = self.job_for(request, course_key, job_id)
        return self.job_response(services.job_retry(actor=self.actor(request), job=job))


class JobResultsView(CourseTeamAPIView):
    """The job's identifiers with their plan and outcome, paginated."""

    pagination_class = Pagination

    @extend_schema(
        operation_id="membership_jobs_results",
        tags=[TAG],
        summary="Each identifier's plan and outcome, in input order",
        description=(
            "Before the job runs, `outcome`, `before` and `after` are null and `plan` says "
            "what will happen. The CSV file is at the job's `links.results_csv`.\n\n" + COURSE_TEAM
        ),
        responses={
            200: JobResultRowSerializer(many=True),
            **error_responses(403, 404),
        },
        examples=[RESULTS_PAGE_EXAMPLE],
    )
    def get(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        job = self.job_for(request, course_key, job_id)
        paginator = Pagination()
        items = paginator.paginate_queryset(selectors.job_item_list(job=job), request, view=self)
        page = list(items or [])
        results = (
            selectors.job_results_between(job=job, first=page[0].position, last=page[-1].position)
            if page
            else {}
        )
        rows = result_rows(job, page, results)
        return paginator.get_paginated_response(JobResultRowSerializer(rows, many=True).data)
