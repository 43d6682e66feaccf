"""Open edX's Commerce API v1, courses (``/api/commerce/v1/courses/``).

The e-commerce service pushes a course's whole paid configuration with a PUT: the listed modes
are added or updated, the others removed (master's kept), display names regenerated, and the
verification deadline stored, all in one `tracks.services.course_tracks_replace` transaction.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment_tracks.api.callers import api_caller
from enrollment_tracks.api.permissions import may_write_commerce
from enrollment_tracks.core.api import NOT_ROUTED
from enrollment_tracks.core.errors import NotFound, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.tracks import selectors, services
from enrollment_tracks.tracks.api_compat import (
    COMPAT_TAG,
    OpenEdxCompatView,
    actor_of,
    openedx_fields,
    refuse_unless,
)
from enrollment_tracks.tracks.apis import errors
from enrollment_tracks.tracks.serializers import (
    CommerceCourse,
    CommerceCourseInputSerializer,
    CommerceCourseSerializer,
    course_key_of,
)
from enrollment_tracks.tracks.types import KEEP

#: The services' field names → a Commerce API mode's.
MODE_FIELDS = {"slug": "name", "display_name": "name", "upgrade_deadline": "expires"}
#: Service error codes answered with Open edX's own message (``None``: no field).
MESSAGES: dict[str, tuple[str, str | None]] = {
    "verification_deadline_too_early": (
        "Verification deadline must be after the course mode upgrade deadlines.",
        None,
    ),
}

PERMISSIONS = (
    "**Permissions**: global staff, or a service client with the scope `commerce:write` (the "
    "legacy `X-Edx-Api-Key` holds every scope). Open edX lets any signed-in user read; we "
    "keep prices and SKUs to the e-commerce service and operators."
)
COURSE_EXAMPLE = {
    "id": "course-v1:edX+DemoX+Demo_Course",
    "name": "Demonstration Course",
    "verification_deadline": "2026-07-31T23:59:00Z",
    "modes": [
        {
            "name": "audit",
            "currency": "usd",
            "price": 0,
            "sku": "68EFFFF",
            "bulk_sku": None,
            "expires": None,
            "android_sku": None,
            "ios_sku": None,
        },
        {
            "name": "verified",
            "currency": "usd",
            "price": 49,
            "sku": "8CF08E5",
            "bulk_sku": "A5B6DBE",
            "expires": "2026-06-30T23:59:00Z",
            "android_sku": None,
            "ios_sku": None,
        },
    ],
}
PUT_EXAMPLE = {
    "id": COURSE_EXAMPLE["id"],
    "verification_deadline": "2026-07-31T23:59:00Z",
    "modes": [
        {"name": "audit", "currency": "usd", "price": 0, "sku": "68EFFFF"},
        {
            "name": "verified",
            "currency": "usd",
            "price": 49,
            "sku": "8CF08E5",
            "bulk_sku": "A5B6DBE",
            "expires": "2026-06-30T23:59:00Z",
        },
    ],
}


def _render(course: CourseRun) -> dict[str, object]:
    deadline = selectors.course_verification_deadline(course)
    tracks = selectors.course_tracks_configured(course)
    return dict(CommerceCourseSerializer(CommerceCourse(course, tracks, deadline)).data)


class CommerceCourseListView(OpenEdxCompatView):
    """Every course with modes, for the e-commerce service's catalogue sync."""

    @extend_schema(
        operation_id="commerce_v1_courses_list",
        tags=[COMPAT_TAG],
        summary="Every course with modes, and its modes (Open edX-compatible)",
        description=(
            "Every course run that stores at least one mode, by key, not paginated. "
            "`verification_deadline` is null in this list, as in Open edX.\n\n" + PERMISSIONS
        ),
        responses={
            200: OpenApiResponse(
                CommerceCourseSerializer(many=True),
                examples=[
                    # One item: drf-spectacular lists it.
                    OpenApiExample(
                        "One course", value={**COURSE_EXAMPLE, "verification_deadline": None}
                    )
                ],
            ),
            **errors(401, 403),
        },
    )
    def get(self, request: Request) -> Response:
        refuse_unless(may_write_commerce(api_caller(request)))
        courses = [
            CommerceCourse(course, tracks, None)
            for course, tracks in selectors.courses_with_tracks()
        ]
        return Response(CommerceCourseSerializer(courses, many=True).data)


class CommerceCourseView(OpenEdxCompatView):
    """A course's paid configuration: read it, or replace it (the e-commerce service's push)."""

    parser_classes = [JSONParser]  # a course's modes are a nested list: JSON only

    @extend_schema(
        operation_id="commerce_v1_courses_retrieve",
        tags=[COMPAT_TAG],
        summary="A course's paid configuration (Open edX-compatible)",
        description=(
            "404 when the course is unknown or stores no mode, as in Open edX.\n\n" + PERMISSIONS
        ),
        responses={
            200: OpenApiResponse(
                CommerceCourseSerializer,
                examples=[OpenApiExample("Audit and verified", value=COURSE_EXAMPLE)],
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, course_id: str) -> Response:
        refuse_unless(may_write_commerce(api_caller(request)))
        course = course_get(course_id)
        body = _render(course)
        if not body["modes"]:
            raise NotFound(f"The course {course.key} has no modes.", code="no_modes")
        return Response(body)

    @extend_schema(
        operation_id="commerce_v1_courses_update",
        tags=[COMPAT_TAG],
        summary="Replace a course's paid configuration (Open edX-compatible)",
        description=(
            "A full replace, in one transaction: each listed mode (matched by `name`, its "
            "slug) is updated or added, modes not listed are removed except `masters`, and "
            "display names are regenerated from the slug (`Verified Certificate`, `Honor "
            "Certificate`, `Professional Education`, `Credit`, `Audit`, otherwise the slug). "
            "An `expires` locks the upgrade deadline. `verification_deadline`: absent leaves "
            "the course's alone, null removes it; it must not be earlier than any listed "
            "`expires`. Any invalid mode answers 400 naming it (`modes[1].price`) and nothing "
            "changes. `id` must be the course of the URL and exist. Answers 201 when the "
            "course had no mode before, else 200, with the course as GET shows it. "
            "`android_sku` and `ios_sku` are accepted but not stored.\n\n" + PERMISSIONS
        ),
        request=CommerceCourseInputSerializer,
        responses={
            200: OpenApiResponse(CommerceCourseSerializer, description="Updated."),
            201: OpenApiResponse(CommerceCourseSerializer, description="The course had no mode."),
            **errors(400, 401, 403, 409, 413, 415),
            **NOT_ROUTED,
        },
        examples=[
            OpenApiExample("Audit and verified", value=PUT_EXAMPLE, request_only=True),
            OpenApiExample(
                "Updated", value=COURSE_EXAMPLE, response_only=True, status_codes=["200", "201"]
            ),
        ],
    )
    def put(self, request: Request, course_id: str) -> Response:
        caller = api_caller(request)
        refuse_unless(may_write_commerce(caller))
        serializer = CommerceCourseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = serializer.validated_data["id"]
        if course_key_of(course_id, "id") != key:
            raise ValidationFailed(
                f"The id {key} is not the course of the URL.", code="course_mismatch", field="id"
            )
        course = course_get(key)
        with openedx_fields(MODE_FIELDS, item="modes", messages=MESSAGES):
            result = services.course_tracks_replace(
                actor=actor_of(caller),
                course=course,
                tracks=serializer.track_inputs(),
                verification_deadline=serializer.validated_data.get("verification_deadline", KEEP),
            )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(_render(course), status=code)
