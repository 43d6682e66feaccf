"""Open edX's Enrollment API v1 for operators: every enrollment, and invitations.

`enrollments` is Open edX's ``DeveloperErrorViewMixin`` view: its errors keep core's
``ErrorStyle.OPENEDX`` body (``developer_message``, ``field_errors``). `enrollment_allowed/`
answers ``{"message": ...}`` like the rest of the API (`api_compat`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.accounts.models import User
from enrollment_tracks.api.callers import ApiCaller, api_caller
from enrollment_tracks.core.api import ErrorStyle, OpenEdxErrorSerializer
from enrollment_tracks.core.errors import Conflict, NotFound, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.enrollments import api_compat as answers
from enrollment_tracks.enrollments import services
from enrollment_tracks.enrollments.api_compat import (
    COMPAT_TAG,
    EnrollmentApiView,
    MayReadOthers,
    ReadsOrPrivilegedWrites,
)
from enrollment_tracks.enrollments.docs import (
    INVITATIONS_EXAMPLE,
    INVITE_EXAMPLES,
    SEARCH_PAGE_EXAMPLE,
    TOO_LARGE,
    TOO_MANY_VALUES_EXAMPLE,
    UNINVITE_EXAMPLES,
    DeleteWithBodySchema,
    drf_error,
    message,
    refusal,
)
from enrollment_tracks.enrollments.selectors import (
    enrollments_search,
    invitation_find,
    invitations_for_email,
)
from enrollment_tracks.enrollments.serializers import (
    EnrollmentAllowedDeleteSerializer,
    EnrollmentAllowedInputSerializer,
    EnrollmentAllowedSerializer,
    EnrollmentListItemSerializer,
    EnrollmentPageSerializer,
    EnrollmentsQuerySerializer,
)

READERS = (
    "**Permissions**: global staff, or a service client with the scope `enrollments:read` "
    "(or `enrollments:write`). Open edX: global staff (`IsAdminUser`)."
)
WRITERS = (
    "**Permissions**: global staff, or a service client with the scope `enrollments:write`; "
    "session callers send the CSRF token. Open edX: global staff (`IsAdminUser`)."
)


class EnrollmentsPagination(CursorPagination):
    """Open edX's ``CourseEnrollmentsApiListPagination``: 100 a page, newest first."""

    page_size = 100
    ordering = ("-created", "-id")  # the id orders enrollments created at the same moment


def _openedx_errors(*statuses: int) -> dict[int, OpenApiResponse]:
    text = {
        400: "A filter is invalid: `field_errors` names it (e.g. more than 100 values).",
        401: "No credentials (bearer schemes).",
        403: "Not signed in, or not allowed.",
        404: "Invalid cursor.",
    }
    return {
        code: OpenApiResponse(OpenEdxErrorSerializer, description=text[code]) for code in statuses
    }


class CourseEnrollmentsView(APIView):
    """Every enrollment, filtered and paginated."""

    error_style = ErrorStyle.OPENEDX
    permission_classes = [MayReadOthers]

    @extend_schema(
        operation_id="enrollment_v1_enrollments_search",
        tags=[COMPAT_TAG],
        summary="Every enrollment, newest first (operators)",
        description=(
            "Enrollments, active or not, matching every given filter; a cursor page of 100, "
            "newest first (`next` and `previous` are links with a `cursor`). `course_ids`, "
            "`username` and `email` take comma-separated values, at most 100 each (more "
            "answers 400). `course_ids` matches keys *containing* a value, as Open edX does. "
            "Nothing matching answers 200 with empty `results`.\n\n" + READERS
        ),
        parameters=[
            OpenApiParameter("course_id", str, description="One course run key."),
            OpenApiParameter("course_ids", str, description="Comma-separated keys or parts."),
            OpenApiParameter("username", str, description="Comma-separated usernames."),
            OpenApiParameter("email", str, description="Comma-separated emails."),
            OpenApiParameter("cursor", str, description="From `next` or `previous`."),
        ],
        responses={
            200: EnrollmentPageSerializer,
            **_openedx_errors(400, 401, 403, 404),
        },
        examples=[SEARCH_PAGE_EXAMPLE, TOO_MANY_VALUES_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        query = EnrollmentsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        rows = enrollments_search(
            course_key=filters["course_id"],
            course_key_parts=filters["course_ids"],
            usernames=filters["username"],
            emails=filters["email"],
        )
        paginator = EnrollmentsPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        data = EnrollmentListItemSerializer(cast(Any, page), many=True).data
        return paginator.get_paginated_response(data)


def _actor(caller: ApiCaller) -> User | None:
    """A service client acts as the system; a person as themselves."""
    return None if caller.is_client else caller.user


def _email_and_course(data: object) -> tuple[str, str]:
    body = data if isinstance(data, Mapping) else {}
    email, course_id = body.get("email"), body.get("course_id")
    if not email or not course_id:
        raise answers.allowed_data_missing()
    return str(email), str(course_id)


def _auto_enroll(data: object) -> bool:
    value = data.get("auto_enroll", False) if isinstance(data, Mapping) else False
    try:
        return bool(serializers.BooleanField().to_internal_value(value))
    except serializers.ValidationError:
        raise ValidationFailed(
            f"'{value}' is an invalid value for 'auto_enroll': give true or false.",
            code="invalid_auto_enroll",
            field="auto_enroll",
        ) from None


def _course(course_id: str) -> CourseRun:
    try:
        return course_get(course_id)
    except NotFound:
        raise answers.no_course_found(course_id) from None


class EnrollmentAllowedView(EnrollmentApiView):
    """Open edX's ``CourseEnrollmentAllowed``: our course invitations."""

    permission_classes = [ReadsOrPrivilegedWrites]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    schema = DeleteWithBodySchema()

    @extend_schema(
        operation_id="enrollment_v1_allowed_list",
        tags=[COMPAT_TAG],
        summary="The invitations of an email",
        description=(
            "Every course's invitation of `email` (default: the requester's email).\n\n" + READERS
        ),
        parameters=[OpenApiParameter("email", str, description="Default: the requester's.")],
        responses={
            200: EnrollmentAllowedSerializer(many=True),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in, or not allowed."),
        },
        examples=[INVITATIONS_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        email = request.query_params.get("email") or (caller.user.email if caller.user else "")
        rows = invitations_for_email(email) if email else []
        return Response(EnrollmentAllowedSerializer(cast(Any, rows), many=True).data)

    @extend_schema(
        operation_id="enrollment_v1_allowed_create",
        tags=[COMPAT_TAG],
        summary="Invite an email to a course (201; 409 if already invited)",
        description=(
            "Creates the invitation (with `auto_enroll`, the person is enrolled when they "
            "register). An email already invited to the course answers 409 and changes "
            "nothing. The course must exist (400 otherwise).\n\n" + WRITERS
        ),
        request=EnrollmentAllowedInputSerializer,
        responses={
            201: EnrollmentAllowedSerializer,
            400: refusal(
                "`email` or `course_id` missing, invalid email or unknown course "
                '(`{"message"}`); malformed JSON (`{"detail"}`).'
            ),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in, not allowed, or CSRF token missing."),
            409: message("Already invited."),
            413: TOO_LARGE,
            415: drf_error("Neither JSON nor a form (url-encoded or multipart)."),
        },
        examples=INVITE_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        caller = api_caller(request)
        email, course_id = _email_and_course(request.data)
        auto_enroll = _auto_enroll(request.data)
        course = _course(course_id)
        try:
            invitation = services.invitation_create(
                actor=_actor(caller),
                course=course,
                email=email,
                auto_enroll=auto_enroll,
                reason=f"Enrollment API ({caller.label})",
                exclusive=True,
            )
        except Conflict as error:
            if error.code != "invitation_exists":
                raise
            raise answers.allowed_exists(email, course_id) from None
        return Response(EnrollmentAllowedSerializer(invitation).data, status=201)

    @extend_schema(
        operation_id="enrollment_v1_allowed_delete",
        tags=[COMPAT_TAG],
        summary="Withdraw an invitation (204)",
        description=(
            "Deletes the invitation of `email` to `course_id` (both in the body). The "
            "withdrawal is kept in the audit trail.\n\n" + WRITERS
        ),
        request=EnrollmentAllowedDeleteSerializer,
        responses={
            204: OpenApiResponse(description="Withdrawn."),
            400: refusal('`email` or `course_id` missing; malformed JSON (`{"detail"}`).'),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in, not allowed, or CSRF token missing."),
            404: message("No such invitation."),
            413: TOO_LARGE,
            415: drf_error("Neither JSON nor a form (url-encoded or multipart)."),
        },
        examples=UNINVITE_EXAMPLES,
    )
    def delete(self, request: Request) -> Response:
        caller = api_caller(request)
        email, course_id = _email_and_course(request.data)
        try:
            course = course_get(course_id)
        except NotFound:
            raise answers.allowed_missing(email, course_id) from None
        invitation = invitation_find(course=course, email=email)
        if invitation is None:
            raise answers.allowed_missing(email, course_id)
        services.invitation_delete(
            actor=_actor(caller), invitation=invitation, reason=f"Enrollment API ({caller.label})"
        )
        return Response(status=204)
