"""OpenAPI pieces of the membership APIs: who may call them, and examples."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample

COURSE_KEY_EXAMPLE = "course-v1:edX+DemoX+Demo_Course"
JOB_ID_EXAMPLE = "84e55120-088c-4fa9-88d0-6306a10bb8e5"

COURSE_TEAM = (
    "**Permissions**: the course team of this course (instructor or staff) or global staff: a "
    "person signed in with a session, who sends the CSRF token on writes, or a service client "
    "(bearer token, JWT) whose service user is one of them. Anyone else: 403."
)

_JOB_URL = f"https://lms.example.org/api/membership/v1/courses/{COURSE_KEY_EXAMPLE}/jobs/"
_JOB_LINKS = {
    name: f"{_JOB_URL}{JOB_ID_EXAMPLE}/{'' if name == 'self' else name + '/'}"
    for name in ("self", "confirm", "cancel", "retry", "results")
}
JOB: dict[str, Any] = {
    "id": JOB_ID_EXAMPLE,
    "course_id": COURSE_KEY_EXAMPLE,
    "action": "enroll",
    "status": "planned",
    "source": "api",
    "created_by": "staff",
    "total": 3,
    "done": 0,
    "progress_percent": 0,
    "plan_counts": {"already_enrolled": 2, "will_invite": 1},
    "counts": {},
    "error": "",
    "cancel_requested": False,
    "created_at": "2026-01-10T09:30:00.123456Z",
    "queued_at": None,
    "started_at": None,
    "finished_at": None,
    "options": {
        "to_track": "",
        "from_track": "",
        "auto_enroll": False,
        "notify": False,
        "reason": "",
    },
    "links": _JOB_LINKS,
}
FINISHED_JOB: dict[str, Any] = {
    **JOB,
    "status": "succeeded",
    "done": 3,
    "progress_percent": 100,
    "counts": {"already_enrolled": 2, "invited": 1},
    "queued_at": "2026-01-10T09:31:02.000000Z",
    "started_at": "2026-01-10T09:31:03.000000Z",
    "finished_at": "2026-01-10T09:31:04.000000Z",
}

JOB_EXAMPLE = OpenApiExample("A planned job", value=JOB, response_only=True)
FINISHED_JOB_EXAMPLE = OpenApiExample("A finished job", value=FINISHED_JOB, response_only=True)
#: Items of paginated lists: drf-spectacular puts them in a page.
JOB_PAGE_EXAMPLE = OpenApiExample("A finished job", value=FINISHED_JOB, response_only=True)
JOB_CREATE_EXAMPLES = [
    OpenApiExample(
        "Plan an enrollment (dry run)",
        value={"action": "enroll", "identifiers": "alice, bob, dave@example.org"},
        request_only=True,
    ),
    OpenApiExample(
        "Move learners to honor now, from a CSV",
        value={
            "action": "change_track",
            "csv": "identifier\nalice\nbob\n",
            "to_track": "honor",
            "reason": "Honor code accepted",
            "dry_run": False,
            "request_key": "honor-2026-01-10",
        },
        request_only=True,
    ),
    OpenApiExample("The planned job", value=JOB, response_only=True, status_codes=["201"]),
]
RESULTS_PAGE_EXAMPLE = OpenApiExample(
    "A learner moved to honor",
    value={
        "position": 0,
        "identifier": "alice",
        "username": "alice",
        "kind": "user",
        "plan": "will_change",
        "plan_label": "Will change track",
        "plan_detail": "audit→honor",
        "outcome": "changed",
        "outcome_label": "Track changed for the following users:",
        "before": {
            "user": True,
            "enrollment": True,
            "allowed": False,
            "auto_enroll": False,
            "track": "audit",
        },
        "after": {
            "user": True,
            "enrollment": True,
            "allowed": False,
            "auto_enroll": False,
            "track": "honor",
        },
        "transition": "from enrolled to enrolled",
        "error": "",
    },
    response_only=True,
)

_UNCHANGED = {"user": True, "enrollment": True, "allowed": False, "auto_enroll": False}
_INVITED = {"user": False, "enrollment": False, "allowed": True, "auto_enroll": True}
STUDENTS_UPDATE_ENROLLMENT_EXAMPLES = [
    OpenApiExample(
        "Enroll a username and invite an email",
        value={
            "action": "enroll",
            "identifiers": "alice, dave@example.org, not-an-email@",
            "auto_enroll": True,
            "email_students": False,
        },
        request_only=True,
    ),
    OpenApiExample(
        "One result per identifier",
        value={
            "action": "enroll",
            "auto_enroll": True,
            "results": [
                {
                    "identifier": "alice",
                    "before": _UNCHANGED,
                    "after": _UNCHANGED,
                    "success": True,
                    "state_transition": "from enrolled to enrolled",
                },
                {
                    "identifier": "dave@example.org",
                    "before": {**_INVITED, "allowed": False, "auto_enroll": False},
                    "after": _INVITED,
                    "success": True,
                    "state_transition": "from unenrolled to allowed to enroll",
                },
                {
                    "identifier": "not-an-email@",
                    "invalidIdentifier": True,
                    "success": False,
                    "error_type": "invalid_identifier",
                    "error_message": "Invalid email address",
                },
            ],
        },
        response_only=True,
    ),
    OpenApiExample(
        "A long list runs as a job",
        value={
            "action": "unenroll",
            "auto_enroll": False,
            "async_processing": True,
            "task_id": JOB_ID_EXAMPLE,
            "task_state": "queued",
            "message": "Async unenroll task submitted for 250 students",
            "total_students": 250,
        },
        response_only=True,
    ),
]
