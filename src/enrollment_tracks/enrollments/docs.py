"""OpenAPI pieces of the Enrollment API v1: parameters, error responses and examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from enrollment_tracks.core.request_size import SMALL_BODY_BYTES
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


class DeleteWithBodySchema(AutoSchema):
    """Documents a DELETE's request body too. drf-spectacular documents bodies on POST, PUT and
    PATCH only, but Open edX's DELETE `enrollment_allowed/` names its row in the body."""

    def _get_request_body(self, direction: str = "request") -> Any:
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"  # the parent's guard; nothing else it reads depends on the method
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"


def message(description: str) -> OpenApiResponse:
    """An Open edX refusal: ``{"message": ...}``."""
    return OpenApiResponse(MessageSerializer, description=description)


def drf_error(description: str) -> OpenApiResponse:
    """DRF's own refusal: ``{"detail": ...}``."""
    return OpenApiResponse(DetailSerializer, description=description)


def refusal(description: str) -> OpenApiResponse:
    """Open edX's ``{"message"}`` or DRF's ``{"detail"}``."""
    return OpenApiResponse(RefusalSerializer, description=description)


TOO_LARGE = drf_error(f"The body is larger than {SMALL_BODY_BYTES} bytes (2.5 MB).")


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

COURSE_DETAILS_EXAMPLE = OpenApiExample(
    "Audit and verified", value=COURSE_DETAILS, response_only=True, status_codes=["200"]
)
ROLES_EXAMPLE = OpenApiExample(
    "An instructor",
    value={
        "roles": [{"org": "edX", "course_id": COURSE_KEY_EXAMPLE, "role": "instructor"}],
        "is_staff": False,
    },
    response_only=True,
)
INVITATION: dict[str, Any] = {
    "email": "carol@example.org",
    "course_id": COURSE_KEY_EXAMPLE,
    "auto_enroll": True,
    "user": None,
    "created": "2026-01-10T09:30:00.123456Z",
}
#: An item of the list: drf-spectacular lists it.
INVITATIONS_EXAMPLE = OpenApiExample("One invitation", value=INVITATION, response_only=True)
INVITE_EXAMPLES = [
    OpenApiExample(
        "Invite, enrolling on registration",
        value={"email": "carol@example.org", "course_id": COURSE_KEY_EXAMPLE, "auto_enroll": True},
        request_only=True,
    ),
    OpenApiExample("The invitation", value=INVITATION, response_only=True, status_codes=["201"]),
    OpenApiExample(
        "Already invited",
        value={
            "message": "An enrollment allowed with email carol@example.org and course "
            f"{COURSE_KEY_EXAMPLE} already exists."
        },
        response_only=True,
        status_codes=["409"],
    ),
]
UNINVITE_EXAMPLES = [
    OpenApiExample(
        "Withdraw an invitation",
        value={"email": "carol@example.org", "course_id": COURSE_KEY_EXAMPLE},
        request_only=True,
    ),
]
SEARCH_PAGE_EXAMPLE = OpenApiExample(
    "A page",
    value={
        "next": "https://lms.example.org/api/enrollment/v1/enrollments/?cursor=cD0yMDI2LTAx",
        "previous": None,
        "results": [
            {
                "created": "2026-01-10T09:30:00.123456Z",
                "mode": "verified",
                "is_active": True,
                "user": "bob",
                "course_id": COURSE_KEY_EXAMPLE,
            },
            {
                "created": "2026-01-09T17:02:11.000000Z",
                "mode": "audit",
                "is_active": False,
                "user": "alice",
                "course_id": COURSE_KEY_EXAMPLE,
            },
        ],
    },
    response_only=True,
    status_codes=["200"],
)
TOO_MANY_VALUES_EXAMPLE = OpenApiExample(
    "101 usernames",
    value={
        "developer_message": "Too many usernames in a single request - 101. A maximum of 100 "
        "is allowed",
        "error_code": "too_many_values",
        "field_errors": {
            "username": {
                "developer_message": "Too many usernames in a single request - 101. A maximum "
                "of 100 is allowed"
            }
        },
    },
    response_only=True,
    status_codes=["400"],
)
