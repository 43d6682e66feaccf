"""Open edX's Enrollment API v1: a learner's enrollments, one enrollment, a course's modes, roles.

Thin views: who is calling (`api.callers`), may they (`api.permissions`), one selector or
`compat.enrollment_post` (Open edX's POST over our services), render (`serializers`). Refusals
answer Open edX's statuses and ``{"message": ...}`` bodies (`api_compat`). The staff-only
endpoints (`enrollments`, `enrollment_allowed/`) are in `apis_staff`.
"""

from __future__ import annotations

from typing import Any

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment_tracks.accounts.selectors import user_find_by_username
from enrollment_tracks.api.callers import api_caller
from enrollment_tracks.api.permissions import may_read_enrollments_of_others
from enrollment_tracks.api.throttling import EnrollmentWriteThrottle
from enrollment_tracks.core.api import NOT_ROUTED
from enrollment_tracks.core.errors import NotFound, ValidationFailed
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.selectors import course_get, course_roles_for_user
from enrollment_tracks.enrollments import api_compat as answers
from enrollment_tracks.enrollments.api_compat import COMPAT_TAG, EnrollmentApiView
from enrollment_tracks.enrollments.compat import enrollment_post
from enrollment_tracks.enrollments.docs import (
    COURSE_DETAILS_EXAMPLE,
    COURSE_ID_PARAM,
    ENROLLMENT_EXAMPLE,
    POST_EXAMPLES,
    ROLES_EXAMPLE,
    TOO_LARGE,
    USERNAME_PARAM,
    drf_error,
    message,
    refusal,
)
from enrollment_tracks.enrollments.selectors import (
    enrollment_find,
    enrollment_of,
    enrollments_active_oldest_first,
)
from enrollment_tracks.enrollments.serializers import (
    CourseDetailsSerializer,
    EnrollmentPostSerializer,
    EnrollmentSerializer,
    PostBadRequestSerializer,
    RolesSerializer,
    course_details_data,
    course_details_of,
    enrollment_data,
    enrollments_data,
)

SIGNED_IN = (
    "**Permissions**: a signed-in user (session; send the CSRF token on writes) or a service "
    "client (OAuth2 bearer token, JWT, or the legacy API key when configured)."
)
PRIVILEGED = (
    "Privileged callers (global staff, or a client with the scope `enrollments:write`) act "
    "for anyone; readers of others (also `enrollments:read`) see anyone's enrollments."
)


#: The body may be empty, which OpenAPI cannot type: its shape is named in words, so that schema
#: checkers accept both of Open edX's answers.
ENROLLMENT_OR_NOTHING = OpenApiResponse(
    description="The enrollment, as the `EnrollmentV1Enrollment` schema (JSON); **an empty "
    "body** (no content type) when there is no such enrollment."
)


def _requester(request: Request) -> str:
    caller = api_caller(request)
    return caller.user.username if caller.user else ""


@method_decorator(ensure_csrf_cookie, "get")
class EnrollmentListView(EnrollmentApiView):
    """GET a learner's active enrollments; POST to create, re-activate or update one."""

    parser_classes = [JSONParser]
    #: Enrollment writes (POST) are rate-limited per user or client; reads never count.
    throttle_classes = [EnrollmentWriteThrottle]

    @extend_schema(
        operation_id="enrollment_v1_enrollments_of_user",
        tags=[COMPAT_TAG],
        summary="A learner's active enrollments, oldest first",
        description=(
            "The requester's active enrollments, or with `?user=` another user's. A plain "
            "array, not paginated. For another user, a requester who may not read others' "
            "enrollments sees only the courses whose course team they are in (maybe none). "
            "An unknown `user` answers 400.\n\n" + SIGNED_IN + " " + PRIVILEGED
        ),
        parameters=[
            OpenApiParameter("user", str, description="A username; default: the requester.")
        ],
        responses={
            200: EnrollmentSerializer(many=True),
            400: message("Unknown user."),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in."),
        },
        examples=[ENROLLMENT_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        caller = api_caller(request)
        requester = _requester(request)
        username = request.query_params.get("user", requester)
        learner = user_find_by_username(username)
        if learner is None:
            raise answers.retrieval_failed(username)
        if username == requester or may_read_enrollments_of_others(caller):
            return Response(enrollments_data(enrollments_active_oldest_first(learner)))
        if caller.user is None:
            return Response([])
        visible = enrollments_active_oldest_first(learner, in_courses_managed_by=caller.user)
        return Response(enrollments_data(visible))

    @extend_schema(
        operation_id="enrollment_v1_enroll",
        tags=[COMPAT_TAG],
        summary="Enroll: create, re-activate or update an enrollment (always 200)",
        description=(
            "Open edX's POST, checked in Open edX's order. Answers **200** with the enrollment, "
            "never 201; repeating a request changes nothing (an active enrollment is answered "
            "as it is, its mode unchanged). A learner may enroll only themselves, only on a "
            "free track they may choose (`audit`, `honor`) or the course's default track; any "
            "other `mode` answers 403. Naming another `user` (or an `email`) needs a privileged "
            "caller, else 404 with an empty body. Privileged callers may use any track the "
            "course offers (paid ones included, whatever the payment: the shop calls this "
            "after the sale), deactivate (`is_active: false`) and attach "
            "`enrollment_attributes` (e.g. `order:order_number`); each of their changes is "
            "recorded in the audit trail with the caller and the order number or `reason`. "
            "Unknown body fields (e.g. `price`) are ignored.\n\n" + SIGNED_IN + " " + PRIVILEGED
        ),
        request=EnrollmentPostSerializer,
        responses={
            200: EnrollmentSerializer,
            400: OpenApiResponse(
                PostBadRequestSerializer,
                description="Missing or unknown course, invalid `is_active`, mode mismatch, "
                "mode not offered (with `course_details`), enrollment closed or full... "
                '(`{"message"}`), or malformed JSON (`{"detail"}`).',
            ),
            401: drf_error("No credentials (bearer schemes)."),
            403: refusal(
                'The mode is not one the learner may take (`{"message"}`); CSRF token missing '
                'or not signed in (`{"detail"}`).'
            ),
            404: OpenApiResponse(
                description="Another user named by a caller who may not: empty body."
            ),
            406: message("No such user (or email)."),
            413: TOO_LARGE,
            415: drf_error("The body is not JSON."),
            429: drf_error("Too many enrollment writes; see `Retry-After`."),
        },
        examples=POST_EXAMPLES,
    )
    def post(self, request: Request) -> Response:
        enrollment = enrollment_post(caller=api_caller(request), body=request.data)
        return Response(enrollment_data(enrollment))


@method_decorator(ensure_csrf_cookie, "get")
@extend_schema_view(
    get=extend_schema(
        operation_id="enrollment_v1_enrollment_own",
        tags=[COMPAT_TAG],
        summary="The requester's enrollment in a course",
        description=(
            "The enrollment, active or not; **200 with an empty body** when there is none. "
            "A malformed course id answers 400.\n\n" + SIGNED_IN
        ),
        parameters=[COURSE_ID_PARAM],
        responses={
            200: ENROLLMENT_OR_NOTHING,
            400: message("Malformed course id."),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in."),
            **NOT_ROUTED,
        },
    )
)
class EnrollmentView(EnrollmentApiView):
    """One user's enrollment in one course."""

    def get(self, request: Request, course_id: str, username: str | None = None) -> Response:
        caller = api_caller(request)
        requester = caller.user.username if caller.user else ""
        username = username or requester
        if username != requester and not may_read_enrollments_of_others(caller):
            raise answers.hidden()
        try:
            key = str(course_key_parse(course_id))
        except ValidationFailed:
            raise answers.retrieval_failed(username, course_id) from None
        if caller.user is not None and username == requester:  # the usual case: no user lookup
            enrollment = enrollment_of(learner=caller.user, course_key=key)
        else:
            enrollment = enrollment_find(username=username, course_key=key)
        if enrollment is None:
            return Response()
        return Response(enrollment_data(enrollment))


@extend_schema_view(
    get=extend_schema(
        operation_id="enrollment_v1_enrollment_of_user",
        tags=[COMPAT_TAG],
        summary="A user's enrollment in a course",
        description=(
            "As `enrollment/{course_id}`, for the named user. Another user's enrollment is "
            "answered only to callers who may read others' enrollments; anyone else gets "
            "**404 with an empty body**, whether or not the enrollment exists.\n\n"
            + SIGNED_IN
            + " "
            + PRIVILEGED
        ),
        parameters=[USERNAME_PARAM, COURSE_ID_PARAM],
        responses={
            200: ENROLLMENT_OR_NOTHING,
            400: message("Malformed course id."),
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in."),
            404: OpenApiResponse(
                description="Another user's enrollment (an empty body), or a path that is "
                "not shaped like a username and a course key (the site's HTML page)."
            ),
        },
    )
)
class UserEnrollmentView(EnrollmentView):
    """`enrollment/{username},{course_id}`."""


class EnrollmentCourseView(EnrollmentApiView):
    """A course's enrollment details; no authentication at all, as in Open edX."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="enrollment_v1_course",
        tags=[COMPAT_TAG],
        summary="A course's dates and modes (anonymous)",
        description=(
            "The course's `course_details`: dates, invitation-only, pacing and `course_modes` "
            "(the virtual free `audit` mode when the course configures none). Expired modes "
            "are left out unless `include_expired` has **any** non-empty value (`0` "
            "included, as in Open edX).\n\n**Permissions**: none; no authentication is read."
        ),
        parameters=[
            COURSE_ID_PARAM,
            OpenApiParameter(
                "include_expired", str, description="Any non-empty value includes expired modes."
            ),
        ],
        responses={
            200: CourseDetailsSerializer,
            400: message("Unknown or malformed course id."),
            **NOT_ROUTED,
        },
        examples=[COURSE_DETAILS_EXAMPLE],
    )
    def get(self, request: Request, course_id: str) -> Response:
        include_expired = bool(request.query_params.get("include_expired", ""))
        try:
            course = course_get(course_id)
        except NotFound:
            raise answers.no_course_found(course_id) from None
        return Response(
            course_details_data(course_details_of(course, include_expired=include_expired))
        )


@method_decorator(ensure_csrf_cookie, "get")
class EnrollmentRolesView(EnrollmentApiView):
    """The requester's course roles."""

    @extend_schema(
        operation_id="enrollment_v1_roles",
        tags=[COMPAT_TAG],
        summary="The requester's course roles",
        description=(
            "The requester's course-team roles (`instructor`, `staff`), only those of "
            "`course_id` when given, and whether they are global staff. A service client "
            "without a user has none.\n\n" + SIGNED_IN
        ),
        parameters=[OpenApiParameter("course_id", str, description="Only this course's roles.")],
        responses={
            200: RolesSerializer,
            401: drf_error("No credentials (bearer schemes)."),
            403: drf_error("Not signed in."),
        },
        examples=[ROLES_EXAMPLE],
    )
    def get(self, request: Request) -> Response:
        user = api_caller(request).user
        course_id = request.query_params.get("course_id")
        roles = sorted(
            course_roles_for_user(user.pk) if user else [],
            key=lambda role: (role.course.key, role.role),
        )
        return Response(
            {
                "roles": [
                    {"org": role.course.org, "course_id": role.course.key, "role": role.role}
                    for role in roles
                    if not course_id or role.course.key == course_id
                ],
                "is_staff": bool(user and user.is_staff),
            }
        )
