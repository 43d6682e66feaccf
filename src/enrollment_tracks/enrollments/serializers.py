"""Bodies of Open edX's Enrollment API v1, field by field as Open edX renders them.

Output serializers render our rows under Open edX's names: an enrollment's ``track`` is its
``mode``, a course's tracks are its ``course_modes`` (the virtual audit track when it configures
none), ``user`` is the username. Dates are ISO 8601 in UTC with a ``Z``. Blank texts render
``null`` and a whole price an integer, as Open edX's unset columns and integer prices do.

The POST request serializers only document the body: Open edX checks it field by field, in an
order its clients observe (who may name another user before whether the mode is allowed...),
with its own messages, so `enrollments.compat` reads the body itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseRun, Pacing
from enrollment_tracks.enrollments.models import Enrollment, Invitation
from enrollment_tracks.tracks.selectors import course_tracks
from enrollment_tracks.tracks.serializers import OptionalTextField, PriceField
from enrollment_tracks.tracks.types import OfferedTrack

COURSE_KEY_EXAMPLE = "course-v1:edX+DemoX+Demo_Course"


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC, ``Z``-suffixed (``2025-01-10T09:30:00Z``), or ``null``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(default_timezone=dt.UTC, **kwargs)


@dataclass(frozen=True, slots=True)
class CourseDetails:
    """A course with the tracks its ``course_modes`` list."""

    course: CourseRun
    tracks: Sequence[OfferedTrack]


@dataclass(frozen=True, slots=True)
class EnrollmentDetails:
    enrollment: Enrollment
    details: CourseDetails


def course_details_of(course: CourseRun, *, include_expired: bool = False) -> CourseDetails:
    """The course with its tracks as Open edX's ``modes_for_course(only_selectable=False)``."""
    return CourseDetails(
        course, course_tracks(course, include_expired=include_expired, learner_visible_only=False)
    )


# ------------------------------------------------------------------------------- output


@extend_schema_serializer(component_name="EnrollmentCourseMode")
class CourseModeSerializer(serializers.Serializer[OfferedTrack]):
    """One of the course's tracks (Open edX's ``ModeSerializer``)."""

    slug = serializers.CharField(help_text="The track's slug, e.g. `audit` or `verified`.")
    name = serializers.CharField(source="display_name")
    min_price = PriceField(source="price.amount")
    suggested_prices = serializers.SerializerMethodField()
    currency = serializers.CharField(source="price.currency", help_text="Lower-case ISO 4217.")
    expiration_datetime = UtcDateTimeField(
        source="upgrade_deadline", help_text="The upgrade deadline, or null."
    )
    description = OptionalTextField()
    sku = OptionalTextField()
    bulk_sku = OptionalTextField()

    @extend_schema_field(
        {
            "type": "string",
            "example": "",
            "description": "Comma-separated prices, as a string (Open edX's quirk); we store "
            "none, so always empty.",
        }
    )
    def get_suggested_prices(self, track: OfferedTrack) -> str:
        return ""


@extend_schema_serializer(component_name="EnrollmentCourseDetails")
class CourseDetailsSerializer(serializers.Serializer[CourseDetails]):
    """A course and its tracks (Open edX's ``CourseSerializer``)."""

    course_id = serializers.CharField(source="course.key")
    course_name = serializers.CharField(source="course.title")
    enrollment_start = UtcDateTimeField(source="course.enrollment_start")
    enrollment_end = UtcDateTimeField(source="course.enrollment_end")
    course_start = UtcDateTimeField(source="course.start")
    course_end = UtcDateTimeField(source="course.end")
    invite_only = serializers.BooleanField(source="course.invitation_only")
    course_modes = CourseModeSerializer(source="tracks", many=True)
    pacing_type = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "enum": ["Self Paced", "Instructor Paced"]})
    def get_pacing_type(self, details: CourseDetails) -> str:
        return "Self Paced" if details.course.pacing == Pacing.SELF else "Instructor Paced"


@extend_schema_serializer(component_name="EnrollmentV1Enrollment")
class EnrollmentSerializer(serializers.Serializer[EnrollmentDetails]):
    """An enrollment (Open edX's ``CourseEnrollmentSerializer``)."""

    created = UtcDateTimeField(
        source="enrollment.created", help_text="When the learner first enrolled."
    )
    mode = serializers.CharField(source="enrollment.track", help_text="The track's slug.")
    is_active = serializers.BooleanField(source="enrollment.is_active")
    course_details = CourseDetailsSerializer(source="details")
    user = serializers.CharField(source="enrollment.user.username", help_text="The username.")


@functools.cache
def _course_details_renderer() -> CourseDetailsSerializer:
    return CourseDetailsSerializer()


@functools.cache
def _enrollments_renderer() -> serializers.ListSerializer[Any]:
    return cast("serializers.ListSerializer[Any]", EnrollmentSerializer(many=True))


# The output serializers are built once per process and only their `to_representation` is
# called: DRF copies every declared field for each new serializer, which costs more than
# rendering one enrollment. Rendering reads the fields and never changes them.


def course_details_data(details: CourseDetails) -> dict[str, Any]:
    return dict(_course_details_renderer().to_representation(details))


def enrollments_data(enrollments: Iterable[Enrollment]) -> list[dict[str, Any]]:
    """Render enrollments, reading each course's tracks once."""
    details: dict[int, CourseDetails] = {}
    rows: list[EnrollmentDetails] = []
    for enrollment in enrollments:
        if enrollment.course_id not in details:
            details[enrollment.course_id] = course_details_of(enrollment.course)
        rows.append(EnrollmentDetails(enrollment, details[enrollment.course_id]))
    return [dict(row) for row in _enrollments_renderer().to_representation(rows)]


def enrollment_data(enrollment: Enrollment) -> dict[str, Any]:
    return enrollments_data([enrollment])[0]


@extend_schema_serializer(component_name="EnrollmentListItem")
class EnrollmentListItemSerializer(serializers.Serializer[Enrollment]):
    """One result of `enrollments` (Open edX's ``CourseEnrollmentsApiListSerializer``)."""

    created = UtcDateTimeField()
    mode = serializers.CharField(source="track")
    is_active = serializers.BooleanField()
    user = serializers.CharField(source="user.username")
    course_id = serializers.CharField(source="course.key")


@extend_schema_serializer(component_name="EnrollmentAllowed")
class EnrollmentAllowedSerializer(serializers.Serializer[Invitation]):
    """An invitation (Open edX's ``CourseEnrollmentAllowedSerializer``: every field but ``id``)."""

    email = serializers.EmailField()
    course_id = serializers.CharField(source="course.key")
    auto_enroll = serializers.BooleanField()
    user = serializers.IntegerField(
        source="user_id", allow_null=True, help_text="The id of the user who enrolled with it."
    )
    created = UtcDateTimeField()


@extend_schema_serializer(component_name="EnrollmentRole")
class RoleSerializer(serializers.Serializer[Any]):
    org = serializers.CharField()
    course_id = serializers.CharField()
    role = serializers.CharField(help_text="`instructor` or `staff`.")


@extend_schema_serializer(component_name="EnrollmentRoles")
class RolesSerializer(serializers.Serializer[Any]):
    roles = RoleSerializer(many=True)
    is_staff = serializers.BooleanField(help_text="The requester is global staff.")


# ---------------------------------------------------------------------------- errors


@extend_schema_serializer(component_name="EnrollmentError")
class MessageSerializer(serializers.Serializer[Any]):
    """Open edX's error body of the Enrollment API."""

    message = serializers.CharField()


@extend_schema_serializer(component_name="EnrollmentDrfError")
class DetailSerializer(serializers.Serializer[Any]):
    """DRF's own error body (not signed in, CSRF, content type, malformed JSON, throttled)."""

    detail = serializers.CharField()


@extend_schema_serializer(component_name="EnrollmentRefusal")
class RefusalSerializer(serializers.Serializer[Any]):
    """Open edX's ``{"message"}``, or DRF's ``{"detail"}`` (CSRF, malformed JSON...)."""

    message = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


@extend_schema_serializer(component_name="EnrollmentPostBadRequest")
class PostBadRequestSerializer(RefusalSerializer):
    """A refused POST `enrollment`: ``{"message"}``; with ``course_details`` when the mode is
    unavailable, with ``localizedMessage`` for a bad attribute; DRF's ``{"detail"}`` for
    malformed JSON."""

    course_details = CourseDetailsSerializer(
        required=False, help_text="The course with the modes it offers (mode unavailable)."
    )
    localizedMessage = serializers.CharField(required=False)  # Open edX's spelling


@extend_schema_serializer(component_name="PaginatedEnrollmentListItemList")
class EnrollmentPageSerializer(serializers.Serializer[Any]):
    """A cursor page of `enrollments`."""

    next = serializers.URLField(allow_null=True, help_text="The next page, or null.")
    previous = serializers.URLField(allow_null=True, help_text="The previous page, or null.")
    results = EnrollmentListItemSerializer(many=True)


# ----------------------------------------------------------------------------- input


class CourseRefSerializer(serializers.Serializer[Any]):
    course_id = serializers.CharField(help_text="The course run key.")


@extend_schema_serializer(component_name="EnrollmentAttribute")
class AttributeSerializer(serializers.Serializer[Any]):
    namespace = serializers.CharField(max_length=255, help_text="e.g. `order` or `credit`.")
    name = serializers.CharField(max_length=255, help_text="e.g. `order_number`.")
    value = serializers.CharField(max_length=255)


@extend_schema_serializer(component_name="EnrollmentV1Post")
class EnrollmentPostSerializer(serializers.Serializer[Any]):
    """Open edX's POST body. Unknown fields (``price``...) are ignored."""

    course_details = CourseRefSerializer()
    user = serializers.CharField(
        required=False, help_text="Username; default: the requester. Privileged callers only."
    )
    email = serializers.EmailField(
        required=False, help_text="Used when `user` is absent. Privileged callers only."
    )
    mode = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="A track of the course; default: its default track. Learners: a free track "
        "they may choose (audit, honor) or nothing.",
    )
    is_active = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="A JSON boolean; only privileged callers can deactivate.",
    )
    force_enrollment = serializers.BooleanField(
        required=False, help_text="Global staff: include expired modes when enrolling."
    )
    enrollment_attributes = AttributeSerializer(
        many=True,
        required=False,
        help_text="Stored for privileged callers (replacing the "
        "enrollment's attributes); ignored for others.",
    )
    reason = serializers.CharField(
        required=False,
        help_text="Ours, not Open edX's: privileged callers' reason, kept in the audit trail "
        "with the caller and the order number.",
    )
    email_opt_in = serializers.BooleanField(required=False, help_text="Accepted and ignored.")
    enterprise_uuid = serializers.CharField(required=False, help_text="Accepted and ignored.")
    cohort = serializers.CharField(
        required=False, help_text="No cohorts here: any value answers 400, nothing changed."
    )


@extend_schema_serializer(component_name="EnrollmentAllowedInput")
class EnrollmentAllowedInputSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    course_id = serializers.CharField()
    auto_enroll = serializers.BooleanField(required=False, default=False)


@extend_schema_serializer(component_name="EnrollmentAllowedDelete")
class EnrollmentAllowedDeleteSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField()
    course_id = serializers.CharField()


#: At most this many values per filter of `enrollments` (Open edX's ``MAX_INPUT_COUNT``).
MAX_FILTER_VALUES = 100


def _split(value: str, what: str) -> list[str]:
    """Comma-separated values, at most `MAX_FILTER_VALUES` (Open edX's message beyond)."""
    if not value:
        return []
    values = value.split(",")
    if len(values) > MAX_FILTER_VALUES:
        raise serializers.ValidationError(
            f"Too many {what} in a single request - {len(values)}. "
            f"A maximum of {MAX_FILTER_VALUES} is allowed",
            code="too_many_values",
        )
    return values


class EnrollmentsQuerySerializer(serializers.Serializer[Any]):
    """The filters of `enrollments` (Open edX's ``CourseEnrollmentsApiListForm``)."""

    course_id = serializers.CharField(required=False, allow_blank=True, default="")
    course_ids = serializers.CharField(required=False, allow_blank=True, default="")
    username = serializers.CharField(required=False, allow_blank=True, default="")
    email = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_course_id(self, value: str) -> str:
        if not value:
            return ""
        try:
            return str(course_key_parse(value))
        except ValidationFailed:
            raise serializers.ValidationError(
                f"'{value}' is not a valid course id.", code="invalid_course_key"
            ) from None

    def validate_course_ids(self, value: str) -> list[str]:
        return _split(value, "course_ids")

    def validate_username(self, value: str) -> list[str]:
        usernames = _split(value, "usernames")
        validator = UnicodeUsernameValidator()
        for username in usernames:
            try:
                validator(username)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages[0], code="invalid") from None
        return usernames

    def validate_email(self, value: str) -> list[str]:
        return _split(value, "emails")
