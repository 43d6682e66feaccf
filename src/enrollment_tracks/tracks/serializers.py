"""Bodies of the Course Modes API v1 and the Commerce API v1 (courses), with Open edX's names.

Input serializers check shapes only; every rule (catalog slugs, price minimum, currency,
deadlines, site switches) is `services.course_track_check`'s. Output serializers render the
selectors' `OfferedTrack`.

Open edX stores a price as a whole number; we store two decimals. A price is rendered as a JSON
integer when it is whole (as Open edX does) and as a JSON number with cents otherwise; input
accepts both. Blank text fields render as ``null``, as Open edX's unset columns do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from enrollment_tracks.core.api import OpenEdxErrorSerializer
from enrollment_tracks.core.errors import NotFound, ValidationFailed
from enrollment_tracks.core.money import amount_parse
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.tracks.types import OfferedTrack, TrackInput

PRICE_SCHEMA = {
    "type": "number",
    "minimum": 0,
    "description": "Whole amounts are integers, as in Open edX; amounts with cents have two "
    "decimals (Open edX cannot store those).",
    "example": 49,
}


@extend_schema_field(PRICE_SCHEMA)
class PriceField(serializers.Field[Decimal, Any, int | Decimal, Any]):
    """A price in, parsed by the money module; out as an integer when whole."""

    default_error_messages = {"invalid": "A valid number is required."}

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
            self.fail("invalid")
        try:
            return amount_parse(data, field=self.field_name or "price")
        except ValidationFailed as error:
            raise serializers.ValidationError(error.message, code=error.code) from None

    def to_representation(self, value: Decimal) -> int | Decimal:
        return int(value) if value == value.to_integral_value() else value


@extend_schema_field({"type": "string", "nullable": True})
class OptionalTextField(serializers.CharField):
    """Text whose blank value is rendered ``null`` and accepted as ``null`` or ``""``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(allow_null=True, allow_blank=True, **kwargs)

    def to_representation(self, value: Any) -> str | None:  # type: ignore[override]
        return str(value) if value else None


def text(value: str | None) -> str:
    return value or ""


def course_key_of(raw: str, field: str) -> str:
    """The normalised key (``ValidationFailed`` with ``field`` if it does not parse)."""
    return str(course_key_parse(raw, field=field))


# ------------------------------------------------------------------------- Course Modes API v1


@extend_schema_serializer(component_name="CourseModesMode")
class CourseModeSerializer(serializers.Serializer[Any]):
    """A course mode as Open edX's ``CourseModeSerializer`` renders it."""

    course_id = serializers.SerializerMethodField()
    mode_slug = serializers.CharField(source="slug")
    mode_display_name = serializers.CharField(source="display_name")
    min_price = PriceField(source="price.amount")
    currency = serializers.CharField(source="price.currency")
    expiration_datetime = serializers.DateTimeField(
        source="upgrade_deadline", allow_null=True, help_text="The upgrade deadline."
    )
    expiration_datetime_is_explicit = serializers.BooleanField(
        source="upgrade_deadline_is_explicit",
        help_text="Locked: changes of the course's dates leave the deadline alone.",
    )
    description = OptionalTextField()
    sku = OptionalTextField()
    bulk_sku = OptionalTextField()

    @extend_schema_field({"type": "string", "example": "course-v1:edX+DemoX+Demo_Course"})
    def get_course_id(self, track: OfferedTrack) -> str:
        return str(self.context["course"].key)


@extend_schema_serializer(component_name="CourseModesModeInput")
class CourseModeInputSerializer(serializers.Serializer[Any]):
    """Create (``course_id``, ``mode_slug``, ``mode_display_name``, ``currency`` required) or,
    partially, update a course mode. Open edX's fields, and no others."""

    course_id = serializers.CharField(help_text="The course of the URL.")
    mode_slug = serializers.CharField(max_length=100, help_text="A track of the catalog.")
    mode_display_name = serializers.CharField(max_length=255)
    min_price = PriceField(required=False, help_text="Default 0.")
    currency = serializers.CharField(max_length=8, help_text="ISO 4217, e.g. `usd`.")
    expiration_datetime = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The upgrade deadline; `null` removes it."
    )
    expiration_datetime_is_explicit = serializers.BooleanField(
        required=False,
        help_text="Default: true when an `expiration_datetime` is given (as Open edX sets it).",
    )
    description = OptionalTextField()
    sku = OptionalTextField(max_length=255)
    bulk_sku = OptionalTextField(max_length=255)

    def to_create_input(self) -> TrackInput:
        data = self.validated_data
        deadline = data.get("expiration_datetime")
        return TrackInput(
            slug=data["mode_slug"],
            display_name=data["mode_display_name"],
            price=data.get("min_price", Decimal(0)),
            currency=data["currency"],
            upgrade_deadline=deadline,
            upgrade_deadline_is_explicit=data.get(
                "expiration_datetime_is_explicit", deadline is not None
            ),
            description=text(data.get("description")),
            sku=text(data.get("sku")),
            bulk_sku=text(data.get("bulk_sku")),
        )

    def to_update_input(self, track: OfferedTrack) -> TrackInput:
        """``track`` merged with the given fields (JSON merge patch: absent means unchanged)."""
        data = self.validated_data
        deadline = data.get("expiration_datetime", track.upgrade_deadline)
        if "expiration_datetime_is_explicit" in data:
            explicit = data["expiration_datetime_is_explicit"]
        elif "expiration_datetime" in data:
            explicit = deadline is not None
        else:
            explicit = track.upgrade_deadline_is_explicit
        return TrackInput(
            slug=track.slug,
            display_name=data.get("mode_display_name", track.display_name),
            price=data.get("min_price", track.price.amount),
            currency=data.get("currency", track.price.currency),
            upgrade_deadline=deadline,
            upgrade_deadline_is_explicit=explicit,
            description=text(data.get("description", track.description)),
            sku=text(data.get("sku", track.sku)),
            bulk_sku=text(data.get("bulk_sku", track.bulk_sku)),
        )


# ------------------------------------------------------------------- Commerce API v1 (courses)


@dataclass(frozen=True, slots=True)
class CommerceCourse:
    """What the Commerce API renders for a course (Open edX's pseudo-model ``Course``)."""

    course: CourseRun
    tracks: list[OfferedTrack]
    verification_deadline: dt.datetime | None


@extend_schema_serializer(component_name="CommerceMode")
class CommerceModeSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="slug", help_text="The mode's slug (not its name).")
    currency = serializers.CharField(source="price.currency")
    price = PriceField(source="price.amount")
    sku = OptionalTextField()
    bulk_sku = OptionalTextField()
    expires = serializers.DateTimeField(
        source="upgrade_deadline", allow_null=True, help_text="The upgrade deadline."
    )
    android_sku = serializers.SerializerMethodField()
    ios_sku = serializers.SerializerMethodField()

    @extend_schema_field(
        {"type": "string", "nullable": True, "description": "Not stored: always null."}
    )
    def get_android_sku(self, track: OfferedTrack) -> None:
        return None

    @extend_schema_field(
        {"type": "string", "nullable": True, "description": "Not stored: always null."}
    )
    def get_ios_sku(self, track: OfferedTrack) -> None:
        return None


@extend_schema_serializer(component_name="CommerceCourse")
class CommerceCourseSerializer(serializers.Serializer[Any]):
    id = serializers.CharField(source="course.key")
    name = serializers.CharField(source="course.title", help_text="The course's title.")
    verification_deadline = serializers.DateTimeField(
        allow_null=True, help_text="The last moment to submit ID photos (null in the list)."
    )
    modes = CommerceModeSerializer(many=True, source="tracks")


@extend_schema_serializer(component_name="CommerceModeInput")
class CommerceModeInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100, help_text="The mode's slug.")
    currency = serializers.CharField(
        max_length=8, required=False, default="", help_text="Default: the site's currency."
    )
    price = PriceField()
    sku = OptionalTextField(max_length=255)
    bulk_sku = OptionalTextField(max_length=255)
    expires = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The upgrade deadline; absent or null: none."
    )
    android_sku = OptionalTextField(help_text="Accepted for compatibility; not stored.")
    ios_sku = OptionalTextField(help_text="Accepted for compatibility; not stored.")

    def to_track_input(self, data: dict[str, Any]) -> TrackInput:
        deadline = data.get("expires")
        return TrackInput(
            slug=data["name"],
            price=data["price"],
            currency=data["currency"],
            upgrade_deadline=deadline,
            upgrade_deadline_is_explicit=deadline is not None,
            sku=text(data.get("sku")),
            bulk_sku=text(data.get("bulk_sku")),
        )


@extend_schema_serializer(component_name="CommerceCourseInput")
class CommerceCourseInputSerializer(serializers.Serializer[Any]):
    """The course's whole paid configuration; modes not listed are removed (masters kept)."""

    id = serializers.CharField(help_text="The course of the URL.")
    name = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, help_text="Ignored (read only)."
    )
    verification_deadline = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Absent: unchanged. Null: removed. Not earlier than any mode's `expires`.",
    )
    modes = CommerceModeInputSerializer(many=True)

    def validate_id(self, value: str) -> str:
        try:
            key = course_key_parse(value, field="id")
        except ValidationFailed:
            raise serializers.ValidationError(
                f"{value} is not a valid course key.", code="invalid_course_key"
            ) from None
        try:
            return course_get(str(key)).key
        except NotFound:
            raise serializers.ValidationError(
                f"Course {value} does not exist.", code="course_not_found"
            ) from None

    def track_inputs(self) -> list[TrackInput]:
        child = CommerceModeInputSerializer()
        return [child.to_track_input(mode) for mode in self.validated_data["modes"]]


# ------------------------------------------------------------------------------ errors


@extend_schema_serializer(component_name="OpenEdxCompatError")
class CompatErrorSerializer(OpenEdxErrorSerializer):
    """Open edX's ``developer_message`` body, plus DRF's keys that Open edX's plain DRF views
    answer with: ``detail``, or, for a 400, one key per invalid field (or
    ``non_field_errors``) with its list of messages, e.g. ``{"currency": ["This field is
    required."]}``."""

    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
