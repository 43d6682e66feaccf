"""OpenAPI pieces of the certificate APIs: who may call them, and examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

COURSE_KEY_EXAMPLE = "course-v1:edX+DemoX+Demo_Course"
VERIFY_UUID_EXAMPLE = "0123456789abcdef0123456789abcdef"
JOB_ID_EXAMPLE = "84e55120-088c-4fa9-88d0-6306a10bb8e5"

COURSE_TEAM = (
    "\n\n**Permissions**: the course team of this course (instructor or staff) or global staff: "
    "a person signed in with a session, who sends the CSRF token on writes, or a service client "
    "(bearer token, JWT) whose service user is one of them. Anyone else: 403."
)
OWNER_OR_STAFF = (
    "\n\n**Permissions**: the learner named in the path, or global staff (a person or a service "
    "client whose service user is global staff). Anyone else: 403."
)


def response(name: str, value: Any) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True)


def request(name: str, value: Any) -> OpenApiExample:
    return OpenApiExample(name, value=value, request_only=True)


V0_CERTIFICATE: dict[str, Any] = {
    "username": "alice",
    "course_id": COURSE_KEY_EXAMPLE,
    "course_display_name": "Demonstration Course",
    "course_organization": "edX",
    "certificate_type": "verified",
    "created_date": "2026-10-01T12:00:00Z",
    "modified_date": "2026-10-01T12:00:00Z",
    "status": "downloadable",
    "is_passing": True,
    "download_url": f"https://lms.example.org/certificates/{VERIFY_UUID_EXAMPLE}/pdf/",
    "grade": "0.87",
    "uuid": VERIFY_UUID_EXAMPLE,
}
CONFIGURATION_IN: dict[str, Any] = {
    "title": "Certificate of Achievement",
    "description": "For passing the Demonstration Course.",
    "organisation_name": "edX",
    "is_active": True,
    "signatories": [{"name": "Ada Lovelace", "title": "Course lead"}],
}
CONFIGURATION_STATE: dict[str, Any] = {
    "available": True,
    "unavailable_reason": None,
    "active": True,
    "configuration": {
        **CONFIGURATION_IN,
        "organisation_logo_url": None,
        "signatories": [{"name": "Ada Lovelace", "title": "Course lead", "signature_url": None}],
    },
}
GRADES_IN: dict[str, Any] = {
    "grades": [{"user": "alice", "grade": "87.5"}, {"user": "bob@example.org", "grade": "42"}]
}
GRADES_OUT: dict[str, Any] = {
    "results": [
        {
            "line": 1,
            "identifier": "alice",
            "grade": "87.5",
            "outcome": "created",
            "message": "Grade set to 87.50 %.",
            "username": "alice",
            "percent": "87.50",
            "certificate_issued": True,
            "is_error": False,
        },
        {
            "line": 2,
            "identifier": "bob@example.org",
            "grade": "142",
            "outcome": "invalid_grade",
            "message": "142 is above 100: grades are percentages from 0 to 100.",
            "username": "bob",
            "percent": None,
            "certificate_issued": False,
            "is_error": True,
        },
    ],
    "errors": 1,
}
LIST_ENTRY: dict[str, Any] = {
    "username": "alice",
    "kind": "allow",
    "reason": "Completed the course offline.",
    "created_at": "2026-10-01T12:00:00Z",
    "created_by": "staff",
}
JOB: dict[str, Any] = {
    "id": JOB_ID_EXAMPLE,
    "status": "running",
    "total": 100000,
    "done": 45000,
    "issued": 10020,
    "progress_percent": 45,
    "error": "",
    "created_at": "2026-10-01T12:00:00Z",
    "started_at": "2026-10-01T12:00:01Z",
    "finished_at": None,
}
CERTIFICATE: dict[str, Any] = {
    "verify_uuid": VERIFY_UUID_EXAMPLE,
    "username": "alice",
    "name": "Alice Liddell",
    "track": "honor",
    "grade": "87.50",
    "state": "issued",
    "is_valid": True,
    "issued_at": "2026-10-01T12:00:00Z",
    "revoked_at": None,
    "revoke_reason": "",
}
REVOKED: dict[str, Any] = {
    **CERTIFICATE,
    "state": "revoked",
    "is_valid": False,
    "revoked_at": "2026-10-02T08:00:00Z",
    "revoke_reason": "Academic misconduct.",
}
