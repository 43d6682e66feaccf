"""Who may call the Enrollment API v1: one table, every endpoint by every kind of caller.

Privileged service clients are covered through global staff here (the same predicates decide:
`api.permissions.is_privileged_for_enrollments`, `may_read_enrollments_of_others`).
"""

from __future__ import annotations

import json

import pytest

from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from tests.api_enrollment.conftest import (
    ALLOWED,
    ENROLLMENT,
    ENROLLMENTS,
    KEY,
    ROLES,
    anonymous_status,
    course_url,
    enrollment_url,
)
from tests.factories import UserFactory, make_course, make_course_team

A = "anonymous"  # DRF's answer to no credentials: 401 or 403 (see anonymous_status)
EMAIL = "invited@example.org"
LEARNER = "the-learner"
ENDPOINTS = {
    "list own": ("get", ENROLLMENT, None),
    "list of the learner": ("get", f"{ENROLLMENT}?user={LEARNER}", None),
    "enroll self": ("post", ENROLLMENT, {"course_details": {"course_id": KEY}}),
    "enroll the learner": (
        "post",
        ENROLLMENT,
        {"course_details": {"course_id": KEY}, "user": LEARNER},
    ),
    "enroll self on verified": (
        "post",
        ENROLLMENT,
        {"course_details": {"course_id": KEY}, "mode": "verified"},
    ),
    "own enrollment": ("get", enrollment_url(KEY), None),
    "the learner's enrollment": ("get", enrollment_url(KEY, LEARNER), None),
    "course details": ("get", course_url(KEY), None),
    "roles": ("get", ROLES, None),
    "enrollments": ("get", ENROLLMENTS, None),
    "allowed list": ("get", f"{ALLOWED}?email={EMAIL}", None),
    "allowed create": ("post", ALLOWED, {"email": "new@example.org", "course_id": KEY}),
    "allowed delete": ("delete", ALLOWED, {"email": EMAIL, "course_id": KEY}),
}
CALLERS = ("anonymous", "learner", "another learner", "course team", "other team", "staff")
# Expected status per endpoint and caller, in the order of CALLERS.
MATRIX = {
    "list own": (A, 200, 200, 200, 200, 200),
    # another learner: 200 with an empty list; the course team: 200 with its courses only
    "list of the learner": (A, 200, 200, 200, 200, 200),
    "enroll self": (A, 200, 200, 200, 200, 200),
    "enroll the learner": (A, 200, 404, 404, 404, 200),
    "enroll self on verified": (A, 403, 403, 403, 403, 200),
    "own enrollment": (A, 200, 200, 200, 200, 200),
    "the learner's enrollment": (A, 200, 404, 404, 404, 200),
    "course details": (200, 200, 200, 200, 200, 200),
    "roles": (A, 200, 200, 200, 200, 200),
    "enrollments": (A, 403, 403, 403, 403, 200),
    "allowed list": (A, 403, 403, 403, 403, 200),
    "allowed create": (A, 403, 403, 403, 403, 201),
    "allowed delete": (A, 403, 403, 403, 403, 204),
}
CASES = [
    pytest.param(endpoint, caller, expected, id=f"{endpoint} as {caller}")
    for endpoint, row in MATRIX.items()
    for caller, expected in zip(CALLERS, row, strict=True)
]


@pytest.fixture
def world(course, paid_site, global_staff):
    from tests.factories import make_track

    make_track(course, "audit")
    make_track(course, "verified", price=49)
    learner = UserFactory(username=LEARNER)
    enrollment_create(actor=learner, learner=learner, course=course)
    invitation_create(actor=global_staff, course=course, email=EMAIL, auto_enroll=False)
    return {
        "anonymous": None,
        "learner": learner,
        "another learner": UserFactory(),
        "course team": make_course_team(course),
        "other team": make_course_team(make_course(), role="instructor"),
        "staff": global_staff,
    }


@pytest.mark.parametrize(("endpoint", "caller", "expected"), CASES)
def test_permission_matrix(api, world, endpoint, caller, expected):
    method, url, body = ENDPOINTS[endpoint]
    client = api(world[caller])

    if body is None:
        response = getattr(client, method)(url)
    else:
        response = getattr(client, method)(
            url, data=json.dumps(body), content_type="application/json"
        )

    assert response.status_code == (anonymous_status() if expected == A else expected)
    assert response.status_code < 500
