"""OpenAPI pieces of the Enrollment API v1: parameters, error responses and examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN
from enrollment_tracks.enrollments.serializers import (
    COURSE_KEY_EXAMPLE,
    DetailSerializer,
    MessageSerializer,
    RefusalSerializer,
)

COURSE_ID_PARAM = OpenApiParameter(
    "course_id",
    {"type": "string", "pattern": f"^{COURSE_KEY_URL_PATTERN}$"},
    OpenApiParameter.PATH,
    description="A course run key: course-v1:Org+Number+Run or Org/Number/Run.",
    examples=[OpenApiExample("course-v1", value=COURSE_KEY_EXAMPLE)],
)
USERNAME_PARAM = OpenApiParameter(
    "username",
    {"type": "string", "pattern": r"^[\w.@+-]+$"},
    OpenApiParameter.PATH,
    description="A username (letters, digits and `_ . @ + -`).",
    examples=[OpenApiExample("username", value="alice")],
)


def message(description: str) -> OpenApiResponse:
    """An Open edX refusal: ``{"message": ...}``."""
    return OpenApiResponse(MessageSerializer, description=description)


def drf_error(description: str) -> OpenApiResponse:
    """DRF's own refusal: ``{"detail": ...}``."""
    return OpenApiResponse(DetailSerializer, description=description)


def refusal(description: str) -> OpenApiResponse:
    """Open edX's ``{"message"}`` or DRF's ``{"detail"}``."""
    return OpenApiResponse(RefusalSerializer, description=description)


#: Django's 404 page for a path whose course id is not shaped like a course key.
NOT_A_KEY = OpenApiResponse(description="The path is not shaped like a course key (no body).")


AUDIT_MODE: dict[str, Any] = {
    "slug": "audit",
    "name": "Audit",
    "min_price": 0,
    "suggested_prices": "",
    "currency": "usd",
    "expiration_datetime": None,
    "description": None,
    "sku": None,
    "bulk_sku": None,
}
COURSE_DETAILS: dict[str, Any] = {
    "course_id": COURSE_KEY_EXAMPLE,
    "course_name": "Demonstration Course",
    "enrollment_start": None,
    "enrollment_end": None,
    "course_start": "2026-02-01T00:00:00Z",
    "course_end": None,
    "invite_only": False,
    "course_modes": [
        AUDIT_MODE,
        {
            **AUDIT_MODE,
            "slug": "verified",
            "name": "Verified",
            "min_price": 49,
            "expiration_datetime": "2026-06-30T23:59:00Z",
            "sku": "8CF08E5",
        },
    ],
    "pacing_type": "Instructor Paced",
}
ENROLLMENT: dict[str, Any] = {
    "created": "2026-01-10T09:30:00.123456Z",
    "mode": "audit",
    "is_active": True,
    "course_details": COURSE_DETAILS,
    "user": "alice",
}
ENROLLMENT_EXAMPLE = OpenApiExample("An audit enrollment", value=ENROLLMENT, response_only=True)

POST_EXAMPLES = [
    OpenApiExample(
        "A learner enrolls on the default track",
        value={"course_details": {"course_id": COURSE_KEY_EXAMPLE}},
        request_only=True,
    ),
    OpenApiExample(
        "The shop fulfils a verified seat",
        value={
            "user": "alice",
            "mode": "verified",
            "is_active": True,
            "course_details": {"course_id": COURSE_KEY_EXAMPLE},
            "enrollment_attributes": [
                {"namespace": "order", "name": "order_number", "value": "EDX-1234"},
                {"namespace": "order", "name": "date_placed", "value": "2026-01-10T09:30:00Z"},
            ],
        },
        request_only=True,
    ),
    OpenApiExample(
        "A refund deactivates",
        value={
            "user": "alice",
            "mode": "verified",
            "is_active": False,
            "course_details": {"course_id": COURSE_KEY_EXAMPLE},
        },
        request_only=True,
    ),
    OpenApiExample("The enrollment", value=ENROLLMENT, response_only=True, status_codes=["200"]),
    OpenApiExample(
        "A learner asks for a paid mode",
        value={
            "message": "User does not have permission to create enrollment with mode [verified]."
        },
        response_only=True,
        status_codes=["403"],
    ),
    OpenApiExample(
        "The mode is not offered",
        value={
            "message": "The [honor] course mode is expired or otherwise unavailable for course "
            f"run [{COURSE_KEY_EXAMPLE}].",
            "course_details": COURSE_DETAILS,
        },
        response_only=True,
        status_codes=["400"],
    ),
    OpenApiExample(
        "No such user",
        value={"message": "The user bob does not exist."},
        response_only=True,
        status_codes=["406"],
    ),
]
