"""Open edX's Course Modes API v1 (``/api/course_modes/v1/``) over the course's tracks.

Thin views: who is calling (`api.callers`), may they (`api.permissions`), parse
(`tracks.serializers`), one service or selector, render. Writes go through `tracks.services`,
whose checks (catalog slug, price minimum, currency, deadlines, site switches) answer 400 with
the field named as Open edX names it, where Open edX itself answers 500.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment_tracks.api.callers import api_caller
from enrollment_tracks.api.permissions import may_manage_course_modes, may_read_course_modes
from enrollment_tracks.core.api import NOT_ROUTED
from enrollment_tracks.core.errors import NotFound, ValidationFailed
from enrollment_tracks.core.request_size import SMALL_BODY_BYTES
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.tracks import selectors, services
from enrollment_tracks.tracks.api_compat import (
    COMPAT_TAG,
    MergePatchParser,
    OpenEdxCompatView,
    actor_of,
    openedx_fields,
    refuse_unless,
)
from enrollment_tracks.tracks.serializers import (
    CompatErrorSerializer,
    CourseModeInputSerializer,
    CourseModeSerializer,
    course_key_of,
)
from enrollment_tracks.tracks.types import OfferedTrack

#: The services' field names → the Course Modes API's.
MODE_FIELDS = {
    "slug": "mode_slug",
    "display_name": "mode_display_name",
    "price": "min_price",
    "upgrade_deadline": "expiration_datetime",
}
UNCHANGEABLE = ("course_id", "mode_slug")
NO_SUCH_MODE = "No CourseMode matches the given query."  # Django's get_object_or_404 message

_ERRORS = {
    400: "Invalid body: each invalid field with its messages (DRF's keys, as Open edX) and in "
    "`field_errors`; `error_code` names the rule (e.g. `price_below_minimum`).",
    401: "No credentials (a bearer token or a session).",
    403: "Signed in, but not allowed (see the permissions above), or the CSRF token is missing.",
    404: "No such course, or no such mode in the course; a path that matches no endpoint (a "
    "course id not shaped like a course key) answers the site's HTML page.",
    409: "The course already offers this mode in this currency.",
    413: f"The body is larger than {SMALL_BODY_BYTES} bytes (2.5 MB).",
    415: "The body's content type is not accepted (PATCH: `application/merge-patch+json`; "
    "Commerce PUT: `application/json`).",
}


def errors(*statuses: int) -> dict[Any, OpenApiResponse]:
    """The error responses; with 404, also the HTML page of a path that matches no URL."""
    responses: dict[Any, OpenApiResponse] = {
        code: OpenApiResponse(response=CompatErrorSerializer, description=_ERRORS[code])
        for code in statuses
    }
    return {**responses, **NOT_ROUTED} if 404 in statuses else responses


READ_PERMISSIONS = (
    "**Permissions**: global staff, the course team of this course, or a service client with "
    "the scope `course_modes:read` (or `course_modes:write`). Open edX allows global staff "
    "only."
)
WRITE_PERMISSIONS = (
    "**Permissions**: global staff, the course team of this course, or a service client with "
    "the scope `course_modes:write`. Session callers send the CSRF token. Open edX allows "
    "global staff only."
)

MODE_EXAMPLE = {
    "course_id": "course-v1:edX+DemoX+Demo_Course",
    "mode_slug": "verified",
    "mode_display_name": "Verified Certificate",
    "min_price": 49,
    "currency": "usd",
    "expiration_datetime": "2026-06-30T23:59:00Z",
    "expiration_datetime_is_explicit": True,
    "description": None,
    "sku": "8CF08E5",
    "bulk_sku": "A5B6DBE",
}
MINIMUM_PRICE_ERROR = {
    "min_price": [
        "The Verified track has a minimum price of 1. Set a price greater than or equal to 1."
    ],
    "developer_message": "The Verified track has a minimum price of 1. Set a price greater "
    "than or equal to 1.",
    "error_code": "price_below_minimum",
    "field_errors": {
        "min_price": {
            "developer_message": "The Verified track has a minimum price of 1. Set a price "
            "greater than or equal to 1."
        }
    },
}


def _course_or_none(raw_key: str) -> CourseRun | None:
    """The course, ``None`` if unknown; a malformed key is 404."""
    try:
        course_key_parse(raw_key)
    except ValidationFailed as error:
        raise NotFound(error.message, code="course_not_found", field="course_id") from None
    try:
        return course_get(raw_key)
    except NotFound:
        return None


def _render(course: CourseRun, track: OfferedTrack) -> dict[str, Any]:
    return dict(CourseModeSerializer(track, context={"course": course}).data)


class CourseModesView(OpenEdxCompatView):
    """List a course's modes; add one."""

    @extend_schema(
        operation_id="course_modes_v1_list",
        tags=[COMPAT_TAG],
        summary="A course's modes, expired ones included (Open edX-compatible)",
        description=(
            "Every mode the course stores, expired ones included, not paginated. A course "
            "that stores none (it offers the virtual audit track) and an unknown course both "
            "answer `[]`, as Open edX does.\n\n" + READ_PERMISSIONS
        ),
        responses={
            200: OpenApiResponse(
                CourseModeSerializer(many=True),
                # One item: drf-spectacular lists it (a list example would be listed twice).
                examples=[OpenApiExample("A verified mode", value=MODE_EXAMPLE)],
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, course_id: str) -> Response:
        course = _course_or_none(course_id)
        refuse_unless(may_read_course_modes(api_caller(request), course))
        if course is None:
            return Response([])
        tracks = selectors.course_tracks_configured(course)
        return Response(CourseModeSerializer(tracks, many=True, context={"course": course}).data)

    @extend_schema(
        operation_id="course_modes_v1_create",
        tags=[COMPAT_TAG],
        summary="Add a mode to a course (Open edX-compatible)",
        description=(
            "`course_id` (the course of the URL), `mode_slug`, `mode_display_name` and "
            "`currency` are required. The mode must be a track of the catalog; its price at "
            "least the track's minimum; only verified may have an `expiration_datetime` (on "
            "or before the course's end); a paid mode needs e-commerce switched on for the "
            "site, verified and professional ID verification too. Each refusal answers 400 "
            "naming the field (Open edX answers 500 for these).\n\n" + WRITE_PERMISSIONS
        ),
        request=CourseModeInputSerializer,
        responses={
            201: OpenApiResponse(
                CourseModeSerializer, examples=[OpenApiExample("Verified", value=MODE_EXAMPLE)]
            ),
            **errors(400, 401, 403, 404, 409, 413),
        },
        examples=[
            OpenApiExample("Verified", value=MODE_EXAMPLE, request_only=True),
            OpenApiExample(
                "Price below the minimum",
                value=MINIMUM_PRICE_ERROR,
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request: Request, course_id: str) -> Response:
        course = course_get(course_id)
        caller = api_caller(request)
        refuse_unless(may_manage_course_modes(caller, course))
        serializer = CourseModeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if course_key_of(serializer.validated_data["course_id"], "course_id") != course.key:
            raise ValidationFailed(
                "The course_id must be the course of the URL.",
                code="course_mismatch",
                field="course_id",
            )
        with openedx_fields(MODE_FIELDS):
            track = services.course_track_create(
                actor=actor_of(caller), course=course, data=serializer.to_create_input()
            )
        return Response(
            _render(course, selectors.offered_track(track)), status=status.HTTP_201_CREATED
        )


class CourseModeDetailView(OpenEdxCompatView):
    """One mode of a course: read, change (merge patch), remove."""

    parser_classes = [MergePatchParser]

    def mode_for(
        self, request: Request, course_id: str, mode_slug: str, *, write: bool
    ) -> tuple[CourseRun, OfferedTrack]:
        course = course_get(course_id)
        caller = api_caller(request)
        allowed = may_manage_course_modes if write else may_read_course_modes
        refuse_unless(allowed(caller, course))
        track = selectors.course_track_configured(course, mode_slug)
        if track is None:
            raise NotFound(NO_SUCH_MODE, code="mode_not_found")
        return course, track

    @extend_schema(
        operation_id="course_modes_v1_retrieve",
        tags=[COMPAT_TAG],
        summary="One mode of a course (Open edX-compatible)",
        description=(
            "When the course stores the mode in several currencies, the site currency's "
            "comes first.\n\n" + READ_PERMISSIONS
        ),
        responses={
            200: OpenApiResponse(
                CourseModeSerializer, examples=[OpenApiExample("Verified", value=MODE_EXAMPLE)]
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, course_id: str, mode_slug: str) -> Response:
        course, track = self.mode_for(request, course_id, mode_slug, write=False)
        return Response(_render(course, track))

    @extend_schema(
        operation_id="course_modes_v1_update",
        tags=[COMPAT_TAG],
        summary="Change a mode (JSON merge patch; Open edX-compatible)",
        description=(
            "The body must be sent as `application/merge-patch+json` (anything else: 415). "
            "Absent fields are unchanged; `null` clears `expiration_datetime`, `description`, "
            "`sku` or `bulk_sku`. Giving an `expiration_datetime` locks it "
            "(`expiration_datetime_is_explicit`) unless the body says otherwise. `course_id` "
            "and `mode_slug` cannot be modified (400 `This field cannot be modified.`). The "
            "same rules as on create apply, each refusal a 400 naming the field. Answers 204 "
            "with no body.\n\n" + WRITE_PERMISSIONS
        ),
        request={MergePatchParser.media_type: CourseModeInputSerializer(partial=True)},
        responses={
            204: OpenApiResponse(description="Changed."),
            **errors(400, 401, 403, 404, 409, 413, 415),
        },
        examples=[
            OpenApiExample(
                "New price and deadline",
                value={"min_price": 59, "expiration_datetime": "2026-07-15T23:59:00Z"},
                request_only=True,
                media_type=MergePatchParser.media_type,
            ),
            OpenApiExample(
                "Unchangeable fields",
                value={
                    "course_id": ["This field cannot be modified."],
                    "mode_slug": ["This field cannot be modified."],
                    "developer_message": "This field cannot be modified.",
                    "error_code": "invalid",
                    "field_errors": {
                        "course_id": {"developer_message": "This field cannot be modified."},
                        "mode_slug": {"developer_message": "This field cannot be modified."},
                    },
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def patch(self, request: Request, course_id: str, mode_slug: str) -> Response:
        course, track = self.mode_for(request, course_id, mode_slug, write=True)
        data = request.data  # 415 unless application/merge-patch+json
        if isinstance(data, dict):
            fixed = {
                name: ["This field cannot be modified."] for name in UNCHANGEABLE if name in data
            }
            if fixed:
                raise serializers.ValidationError(fixed)
        serializer = CourseModeInputSerializer(data=data, partial=True)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data:
            with openedx_fields(MODE_FIELDS):
                services.course_track_update(
                    actor=actor_of(api_caller(request)),
                    track=selectors.course_track_row(course, track.track_id or 0),
                    data=serializer.to_update_input(track),
                )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="course_modes_v1_destroy",
        tags=[COMPAT_TAG],
        summary="Remove a mode (Open edX-compatible)",
        description=(
            "Learners enrolled on the mode stay on it (as in Open edX, an enrollment's mode is "
            "not a foreign key). Answers 204.\n\n" + WRITE_PERMISSIONS
        ),
        responses={204: OpenApiResponse(description="Removed."), **errors(401, 403, 404)},
    )
    def delete(self, request: Request, course_id: str, mode_slug: str) -> Response:
        course, track = self.mode_for(request, course_id, mode_slug, write=True)
        services.course_track_delete(
            actor=actor_of(api_caller(request)),
            track=selectors.course_track_row(course, track.track_id or 0),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
