"""Certificates over HTTP: Open edX's certificates API v0 and our own course-team API.

* ``GET /api/certificates/v0/certificates/{username}/`` and
  ``.../courses/{course_id}/`` (Open edX-compatible): the learner themself or global staff;
  anyone else gets 403, and a learner without a certificate in the course gets 404
  (``no_certificate_for_user``).
* ``/api/certificates/v1/courses/{course_id}/...``: the course team of that course or global
  staff (a service client acts as its service user). A certificate or job of another course
  is a 404.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.accounts.models import User
from enrollment_tracks.certificates import docs, selectors, services
from enrollment_tracks.certificates.eligibility import ListEntry
from enrollment_tracks.certificates.models import GradeSource
from enrollment_tracks.certificates.serializers import (
    CertificateSerializer,
    ConfigurationSerializer,
    ConfigurationStateSerializer,
    ExceptionInSerializer,
    ExceptionSerializer,
    GenerationJobSerializer,
    GradesInSerializer,
    GradesOutSerializer,
    OpenEdxCertificateSerializer,
    PassingGradeSerializer,
    RevokeSerializer,
    configuration_body,
    openedx_certificate,
)
from enrollment_tracks.core.api import ErrorStyle, Pagination, error_responses
from enrollment_tracks.core.errors import NotFound, PermissionDenied
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.courses.selectors import course_get

TAG = "certificates"
COMPAT_TAG = "openedx-compatible"

# ------------------------------------------------------------------ Open edX-compatible


class _OwnerOrStaffView(APIView):
    error_style = ErrorStyle.OPENEDX

    def learner_for(self, request: Request, username: str) -> User:
        caller = request.user
        if not (getattr(caller, "is_staff", False) or caller.get_username() == username):
            raise PermissionDenied(
                "Only the learner and global staff may read a learner's certificates.",
                code="permission_denied",
            )
        learner = User.objects.filter(username=username).first()
        if learner is None:
            raise NotFound(f"No user with the username “{username}”.", code="user_not_found")
        return learner


class CertificateDetailView(_OwnerOrStaffView):
    @extend_schema(
        operation_id="certificates_v0_detail",
        tags=[COMPAT_TAG],
        summary="A learner's certificate in one course (Open edX-compatible)",
        description=(
            "404 with "
            "`error_code` `no_certificate_for_user` when the learner has none in the course. "
            "A revoked certificate answers `status` `unavailable`." + docs.OWNER_OR_STAFF
        ),
        responses={
            200: OpenEdxCertificateSerializer,
            **error_responses(403, 404, style=ErrorStyle.OPENEDX),
        },
        examples=[docs.response("A verified certificate", docs.V0_CERTIFICATE)],
    )
    def get(self, request: Request, username: str, course_key: str) -> Response:
        learner = self.learner_for(request, username)
        course = course_get(course_key)
        certificate = selectors.certificate_of_user_in_course(learner, course)
        if certificate is None:
            raise NotFound(
                f"{username} has no certificate in {course.key}.", code="no_certificate_for_user"
            )
        return Response(openedx_certificate(certificate, request))


class CertificateListView(_OwnerOrStaffView):
    @extend_schema(
        operation_id="certificates_v0_list",
        tags=[COMPAT_TAG],
        summary="Every certificate of a learner (Open edX-compatible)",
        description="Every certificate of the learner, newest first." + docs.OWNER_OR_STAFF,
        responses={
            200: OpenEdxCertificateSerializer(many=True),
            **error_responses(403, 404, style=ErrorStyle.OPENEDX),
        },
        examples=[docs.response("A verified certificate", docs.V0_CERTIFICATE)],
    )
    def get(self, request: Request, username: str) -> Response:
        learner = self.learner_for(request, username)
        return Response(
            [openedx_certificate(c, request) for c in selectors.certificates_of_user(learner)]
        )


# ------------------------------------------------------------------ our own API


class CourseTeamAPIView(APIView):
    """About one course: its course team (or global staff) only."""

    error_style = ErrorStyle.OURS
    parser_classes = [JSONParser]

    def course_for(self, request: Request, course_key: str) -> CourseRun:
        course = course_get(course_key)
        if not can_manage_course(request.user, course):
            raise PermissionDenied(
                "Only the course team can manage this course's certificates.",
                code="not_course_staff",
            )
        return course

    def actor(self, request: Request) -> User:
        return cast(User, request.user)


class ConfigurationView(CourseTeamAPIView):
    def _body(self, course: CourseRun) -> dict[str, Any]:
        return configuration_body(
            selectors.configuration_get(course),
            unavailable_reason=selectors.certificates_unavailable_reason(course),
            active=selectors.certificates_active(course),
        )

    @extend_schema(
        operation_id="certificates_configuration_get",
        tags=[TAG],
        summary="The course's certificate configuration and whether certificates are available",
        description=(
            "Whether certificates are available (a granting track is offered), whether they are "
            "being issued, and the configuration, or `null` before the first save."
            + docs.COURSE_TEAM
        ),
        responses={200: ConfigurationStateSerializer, **error_responses(403, 404)},
        examples=[docs.response("Configured and active", docs.CONFIGURATION_STATE)],
    )
    def get(self, request: Request, course_key: str) -> Response:
        return Response(self._body(self.course_for(request, course_key)))

    @extend_schema(
        operation_id="certificates_configuration_put",
        tags=[TAG],
        summary="Create or replace the course's certificate configuration",
        description=(
            "Refused with 400 `certificates_unavailable` (and the reason) while the course "
            "offers no track that grants a certificate. Up to four signatories; the organisation "
            "logo and signature images are uploaded on the instructor dashboard." + docs.COURSE_TEAM
        ),
        request=ConfigurationSerializer,
        responses={200: ConfigurationStateSerializer, **error_responses(400, 403, 404)},
        examples=[
            docs.request("Configuration", docs.CONFIGURATION_IN),
            docs.response("Configured and active", docs.CONFIGURATION_STATE),
        ],
    )
    def put(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = ConfigurationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.configuration_save(
            actor=self.actor(request), course=course, data=serializer.to_input()
        )
        return Response(self._body(course))


class PassingGradeView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_passing_grade_get",
        tags=[TAG],
        summary="The course's passing grade (percent)",
        description="50 until set." + docs.COURSE_TEAM,
        responses={200: PassingGradeSerializer, **error_responses(403, 404)},
        examples=[docs.response("60 %", {"passing_grade": "60.00"})],
    )
    def get(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        return Response({"passing_grade": str(selectors.passing_grade_of(course))})

    @extend_schema(
        operation_id="certificates_passing_grade_put",
        tags=[TAG],
        summary="Set the course's passing grade",
        description="0 to 100; 400 `invalid_grade` otherwise." + docs.COURSE_TEAM,
        request=PassingGradeSerializer,
        responses={200: PassingGradeSerializer, **error_responses(400, 403, 404)},
        examples=[
            docs.request("60 %", {"passing_grade": "60"}),
            docs.response("60 %", {"passing_grade": "60.00"}),
        ],
    )
    def put(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = PassingGradeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = services.passing_grade_set(
            actor=self.actor(request),
            course=course,
            percent=serializer.validated_data["passing_grade"],
        )
        return Response({"passing_grade": str(row.percent)})


class GradesView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_grades_post",
        tags=[TAG],
        summary="Record one or many learners' grades (for an LMS)",
        description=(
            "One result per row, in order, HTTP 200 even when some rows fail: a grade above "
            "100, below 0 or not a number (`invalid_grade`), an unknown learner "
            "(`unknown_learner`), a learner not enrolled (`not_enrolled`), a learner twice "
            "(`duplicate`). Each change is kept in the grade history. Learners whose grade now "
            "passes get their certificate when they are eligible (`certificate_issued`)."
            + docs.COURSE_TEAM
        ),
        request=GradesInSerializer,
        responses={200: GradesOutSerializer, **error_responses(400, 403, 404)},
        examples=[
            docs.request("Two learners", docs.GRADES_IN),
            docs.response("One recorded, one refused", docs.GRADES_OUT),
        ],
    )
    def post(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = GradesInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.grades_record(
            actor=self.actor(request),
            course=course,
            entries=serializer.to_entries(),
            source=GradeSource.API,
        )
        rows = [
            {
                "line": r.line,
                "identifier": r.identifier,
                "grade": r.grade,
                "outcome": r.outcome.value,
                "message": r.message,
                "username": r.username,
                "percent": r.percent,
                "certificate_issued": r.certificate_issued,
                "is_error": r.is_error,
            }
            for r in results
        ]
        body = {"results": rows, "errors": sum(1 for r in results if r.is_error)}
        return Response(GradesOutSerializer(body).data)


class ListsView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_lists_get",
        tags=[TAG],
        summary="The course's allow list and block list",
        description=(
            "Every learner on the allow list (issued without a passing grade) or the block list "
            "(never issued), with the reason and who decided." + docs.COURSE_TEAM
        ),
        responses={200: ExceptionSerializer(many=True), **error_responses(403, 404)},
        examples=[docs.response("One learner allowed", docs.LIST_ENTRY)],
    )
    def get(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        return Response(ExceptionSerializer(selectors.exceptions_of_course(course), many=True).data)

    @extend_schema(
        operation_id="certificates_lists_post",
        tags=[TAG],
        summary="Put a learner on the allow list or the block list, with a reason",
        description=(
            "Replaces the learner's entry if any. Allow-listing issues the certificate at once "
            "when the track and ID verification allow it." + docs.COURSE_TEAM
        ),
        request=ExceptionInSerializer,
        responses={201: ExceptionSerializer, **error_responses(400, 403, 404)},
        examples=[
            docs.request(
                "Allow",
                {"user": "alice", "kind": "allow", "reason": "Completed the course offline."},
            ),
            docs.response("Allowed", docs.LIST_ENTRY),
        ],
    )
    def post(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        serializer = ExceptionInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = services.exception_set(
            actor=self.actor(request),
            course=course,
            identifier=serializer.validated_data["user"],
            kind=ListEntry(serializer.validated_data["kind"]),
            reason=serializer.validated_data["reason"],
        )
        return Response(ExceptionSerializer(entry).data, status=status.HTTP_201_CREATED)


class ListEntryView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_lists_delete",
        tags=[TAG],
        summary="Take a learner off the lists",
        description=(
            "The learner is decided by the rule again; 404 `not_listed` when on neither list."
            + docs.COURSE_TEAM
        ),
        responses={204: None, **error_responses(403, 404)},
    )
    def delete(self, request: Request, course_key: str, username: str) -> Response:
        course = self.course_for(request, course_key)
        services.exception_remove(course=course, identifier=username)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GenerationJobsView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_jobs_list",
        tags=[TAG],
        summary="The course's certificate generation jobs, newest first",
        description=(
            "The 50 newest “generate certificates” jobs of the course, with their progress."
            + docs.COURSE_TEAM
        ),
        responses={200: GenerationJobSerializer(many=True), **error_responses(403, 404)},
        examples=[docs.response("A running job", docs.JOB)],
    )
    def get(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        jobs = selectors.generation_jobs(course)[:50]
        return Response(GenerationJobSerializer(jobs, many=True).data)

    @extend_schema(
        operation_id="certificates_jobs_create",
        tags=[TAG],
        summary="Generate certificates for the whole course (a background job)",
        description=(
            "Queues a job that issues a certificate to every learner who qualifies and has "
            "none. While a job is queued or running, the same job is answered (200 instead "
            "of 201). 400 `certificates_not_configured` while certificates are not configured "
            "and active, `certificates_unavailable` while no track grants one. Follow "
            "`done` of `total` on the job." + docs.COURSE_TEAM
        ),
        request=None,
        responses={
            201: GenerationJobSerializer,
            200: GenerationJobSerializer,
            **error_responses(400, 403, 404),
        },
        examples=[docs.response("A queued job", {**docs.JOB, "status": "queued", "done": 0})],
    )
    def post(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        running = selectors.generation_running(course)
        job = services.generation_job_start(actor=self.actor(request), course=course)
        code = status.HTTP_200_OK if running else status.HTTP_201_CREATED
        return Response(GenerationJobSerializer(job).data, status=code)


class GenerationJobView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_jobs_get",
        tags=[TAG],
        summary="A generation job's status and progress",
        description=(
            "Poll this while the job runs: `done` of `total` enrollments processed, `issued` so "
            "far. 404 for a job of another course." + docs.COURSE_TEAM
        ),
        responses={200: GenerationJobSerializer, **error_responses(403, 404)},
        examples=[docs.response("A running job", docs.JOB)],
    )
    def get(self, request: Request, course_key: str, job_id: uuid.UUID) -> Response:
        course = self.course_for(request, course_key)
        return Response(GenerationJobSerializer(selectors.generation_job_get(course, job_id)).data)


class CertificatesView(CourseTeamAPIView):
    pagination_class = Pagination

    @extend_schema(
        operation_id="certificates_list",
        tags=[TAG],
        summary="The course's certificates (issued and revoked), newest first",
        description=(
            "Issued and revoked certificates of the course, newest first, paginated (`page`, "
            "`page_size`)." + docs.COURSE_TEAM
        ),
        responses={200: CertificateSerializer(many=True), **error_responses(403, 404)},
        examples=[docs.response("An issued certificate", docs.CERTIFICATE)],
    )
    def get(self, request: Request, course_key: str) -> Response:
        course = self.course_for(request, course_key)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.certificates_of_course(course), request, view=self
        )
        return paginator.get_paginated_response(
            CertificateSerializer(cast(Any, page), many=True).data
        )


class RevokeView(CourseTeamAPIView):
    @extend_schema(
        operation_id="certificates_revoke",
        tags=[TAG],
        summary="Revoke a certificate, with a reason",
        description=(
            "The verify page then shows it revoked. 409 `already_revoked` the second time; "
            "404 for a certificate of another course. A learner moved to audit keeps an issued "
            "certificate until it is revoked here." + docs.COURSE_TEAM
        ),
        request=RevokeSerializer,
        responses={200: CertificateSerializer, **error_responses(400, 403, 404, 409)},
        examples=[
            docs.request("Reason", {"reason": "Academic misconduct."}),
            docs.response("Revoked", docs.REVOKED),
        ],
    )
    def post(self, request: Request, course_key: str, verify_uuid: str) -> Response:
        course = self.course_for(request, course_key)
        certificate = selectors.certificate_of_course(course, verify_uuid)
        serializer = RevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        revoked = services.certificate_revoke(
            actor=self.actor(request),
            certificate=certificate,
            reason=serializer.validated_data["reason"],
        )
        return Response(CertificateSerializer(revoked).data)
