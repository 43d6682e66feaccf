"""Who may call what: every API endpoint and method by every kind of caller, from one table.

``REQUESTS`` says how each row's request is sent; its body is one that succeeds for an allowed
caller, so an allowed cell is a real 200/201/204. ``MATRIX`` is the table: per row the scope a
service client needs, and the status each caller gets. `src/enrollment_tracks/api/README.md`
("Who may call what") says the same per endpoint; keep the two in step.

The two client columns: *client with scope* holds exactly the row's scope (every scope when the
row names none); *client without scope* holds every other scope (none when the row names none),
so a refusal there proves that this scope, and no other, opens the row. Each client column runs
twice, with an OAuth2 bearer token and with a JWT, both from ``/oauth2/access_token``.

A refused request must change nothing; ``test_every_api_operation_has_a_row`` keeps the table
complete when an endpoint is added.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.permissions import AllowAny
from rest_framework.test import APIClient

from enrollment_tracks.api.permissions import (
    ALL_SCOPES,
    COMMERCE_WRITE,
    COURSE_MODES_READ,
    COURSE_MODES_WRITE,
    ENROLLMENTS_READ,
    ENROLLMENTS_WRITE,
)
from enrollment_tracks.courses.models import CourseAccessRole
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Invitation
from enrollment_tracks.membership.models import JobTransition, MembershipJob
from enrollment_tracks.tracks import catalog, commerce_apis
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory
from tests.api_matrix.conftest import (
    CALLERS,
    CLIENT_WITH_SCOPE,
    CLIENT_WITHOUT_SCOPE,
    CLIENTS,
    INVITED,
    KEY,
    LEARNER,
    OTHER_LEARNER,
    TOKEN_KINDS,
    World,
)

ENROLL = "/api/enrollment/v1/"
MODES = f"/api/course_modes/v1/courses/{KEY}/"
COMMERCE = "/api/commerce/v1/courses/"
JOBS = f"/api/membership/v1/courses/{KEY}/jobs/"
COMPAT = f"/courses/{KEY}/instructor/api/students_update_enrollment"

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MERGE_PATCH = "application/merge-patch+json"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # may name {job} and {failed_job}
    body: dict[str, Any] | None = None
    content_type: str = JSON


REQUESTS: dict[str, Request] = {
    # Enrollment API v1
    "enrollment GET own": Request("get", ENROLL + "enrollment"),
    "enrollment GET ?user=learner": Request("get", f"{ENROLL}enrollment?user={LEARNER}"),
    "enrollment POST self": Request(
        "post", ENROLL + "enrollment", {"course_details": {"course_id": KEY}}
    ),
    "enrollment POST learner, paid": Request(
        "post",
        ENROLL + "enrollment",
        {
            "course_details": {"course_id": KEY},
            "user": LEARNER,
            "mode": catalog.VERIFIED,
            "enrollment_attributes": [
                {"namespace": "order", "name": "order_number", "value": "EDX-1001"}
            ],
        },
    ),
    "enrollment/{course} GET own": Request("get", f"{ENROLL}enrollment/{KEY}"),
    "enrollment/{user},{course} GET": Request("get", f"{ENROLL}enrollment/{LEARNER},{KEY}"),
    "course/{course} GET": Request("get", f"{ENROLL}course/{KEY}"),
    "enrollments GET": Request("get", f"{ENROLL}enrollments?{urlencode({'course_id': KEY})}"),
    "enrollment_allowed GET": Request(
        "get", f"{ENROLL}enrollment_allowed/?{urlencode({'email': INVITED})}"
    ),
    "enrollment_allowed POST": Request(
        "post", ENROLL + "enrollment_allowed/", {"email": "new@example.org", "course_id": KEY}
    ),
    "enrollment_allowed DELETE": Request(
        "delete", ENROLL + "enrollment_allowed/", {"email": INVITED, "course_id": KEY}
    ),
    "roles GET": Request("get", f"{ENROLL}roles/?{urlencode({'course_id': KEY})}"),
    # Course Modes API v1
    "modes GET": Request("get", MODES),
    "modes POST": Request(
        "post",
        MODES,
        {
            "course_id": KEY,
            "mode_slug": catalog.HONOR,
            "mode_display_name": "Honor Certificate",
            "currency": "usd",
        },
    ),
    "mode GET": Request("get", MODES + catalog.AUDIT),
    "mode PATCH": Request(
        "patch", MODES + catalog.AUDIT, {"description": "Free access."}, MERGE_PATCH
    ),
    "mode DELETE": Request("delete", MODES + catalog.VERIFIED),
    # Commerce API v1
    "commerce courses GET": Request("get", COMMERCE),
    "commerce course GET": Request("get", f"{COMMERCE}{KEY}/"),
    "commerce course PUT": Request(
        "put",
        f"{COMMERCE}{KEY}/",
        {
            "id": KEY,
            "verification_deadline": "2027-07-31T23:59:00Z",
            "modes": [
                {"name": catalog.AUDIT, "currency": "usd", "price": 0},
                {"name": catalog.VERIFIED, "currency": "usd", "price": 59, "sku": "8CF08E5"},
            ],
        },
    ),
    "commerce order GET": Request("get", "/api/commerce/v1/orders/{order}/"),
    # Membership: Open edX's batch endpoint (form-encoded, as the dashboard posts) and our jobs
    "students_update_enrollment POST": Request(
        "post", COMPAT, {"action": "enroll", "identifiers": OTHER_LEARNER}, FORM
    ),
    "jobs GET": Request("get", JOBS),
    "jobs POST": Request("post", JOBS, {"action": "enroll", "identifiers": OTHER_LEARNER}),
    "job GET": Request("get", JOBS + "{job}/"),
    "job confirm POST": Request("post", JOBS + "{job}/confirm/"),
    "job cancel POST": Request("post", JOBS + "{job}/cancel/"),
    "job retry POST": Request("post", JOBS + "{failed_job}/retry/"),
    "job results GET": Request("get", JOBS + "{job}/results/"),
    # The OpenAPI schema and its docs page
    "schema GET": Request("get", "/api/schema/"),
    "docs GET": Request("get", "/api/docs/"),
}

NO_SCOPE = None  # no scope opens the row: the caller is judged as a person (its service user)
E_READ, E_WRITE = ENROLLMENTS_READ, ENROLLMENTS_WRITE
M_READ, M_WRITE = COURSE_MODES_READ, COURSE_MODES_WRITE
C_WRITE = COMMERCE_WRITE
SEES = "sees"  # 200 with the learner's enrollment in the list
NONE = "none"  # 200 with an empty list: the learner's enrollments are hidden from the caller

# fmt: off
MATRIX: dict[str, tuple[str | None, tuple[int | str, ...]]] = {
    # row                              scope       anon  lrnr  othr  team  oteam staff +scp  -scp
    "enrollment GET own":              (NO_SCOPE, (403,  200,  200,  200,  200,  200,  200,  200)),
    "enrollment GET ?user=learner":    (E_READ,   (403,  SEES, NONE, SEES, NONE, SEES, SEES, NONE)),
    "enrollment POST self":            (NO_SCOPE, (403,  200,  200,  200,  200,  200,  200,  200)),
    "enrollment POST learner, paid":   (E_WRITE,  (403,  403,  404,  404,  404,  200,  200,  404)),
    "enrollment/{course} GET own":     (NO_SCOPE, (403,  200,  200,  200,  200,  200,  200,  200)),
    "enrollment/{user},{course} GET":  (E_READ,   (403,  200,  404,  404,  404,  200,  200,  404)),
    "course/{course} GET":             (NO_SCOPE, (200,  200,  200,  200,  200,  200,  200,  200)),
    "enrollments GET":                 (E_READ,   (403,  403,  403,  403,  403,  200,  200,  403)),
    "enrollment_allowed GET":          (E_READ,   (403,  403,  403,  403,  403,  200,  200,  403)),
    "enrollment_allowed POST":         (E_WRITE,  (403,  403,  403,  403,  403,  201,  201,  403)),
    "enrollment_allowed DELETE":       (E_WRITE,  (403,  403,  403,  403,  403,  204,  204,  403)),
    "roles GET":                       (NO_SCOPE, (403,  200,  200,  200,  200,  200,  200,  200)),
    "modes GET":                       (M_READ,   (403,  403,  403,  200,  403,  200,  200,  403)),
    "modes POST":                      (M_WRITE,  (403,  403,  403,  201,  403,  201,  201,  403)),
    "mode GET":                        (M_READ,   (403,  403,  403,  200,  403,  200,  200,  403)),
    "mode PATCH":                      (M_WRITE,  (403,  403,  403,  204,  403,  204,  204,  403)),
    "mode DELETE":                     (M_WRITE,  (403,  403,  403,  204,  403,  204,  204,  403)),
    "commerce courses GET":            (C_WRITE,  (403,  403,  403,  403,  403,  200,  200,  403)),
    "commerce course GET":             (C_WRITE,  (403,  403,  403,  403,  403,  200,  200,  403)),
    "commerce course PUT":             (C_WRITE,  (403,  403,  403,  403,  403,  200,  200,  403)),
    "commerce order GET":              (C_WRITE,  (403,  404,  404,  404,  404,  200,  200,  404)),
    "students_update_enrollment POST": (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "jobs GET":                        (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "jobs POST":                       (NO_SCOPE, (403,  403,  403,  201,  403,  201,  403,  403)),
    "job GET":                         (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "job confirm POST":                (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "job cancel POST":                 (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "job retry POST":                  (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "job results GET":                 (NO_SCOPE, (403,  403,  403,  200,  403,  200,  403,  403)),
    "schema GET":                      (NO_SCOPE, (200,  200,  200,  200,  200,  200,  200,  200)),
    "docs GET":                        (NO_SCOPE, (200,  200,  200,  200,  200,  200,  200,  200)),
}
# fmt: on

#: Scopes that also open a row needing the key (reading is part of writing).
ALSO_GRANTED_BY = {ENROLLMENTS_READ: {ENROLLMENTS_WRITE}, COURSE_MODES_READ: {COURSE_MODES_WRITE}}


def client_scopes(caller: str, scope: str | None) -> frozenset[str]:
    """The scopes a client column holds for a row needing ``scope``."""
    if caller == CLIENT_WITH_SCOPE:
        return ALL_SCOPES if scope is None else frozenset({scope})
    if caller == CLIENT_WITHOUT_SCOPE and scope is not None:
        return ALL_SCOPES - {scope} - ALSO_GRANTED_BY.get(scope, set())
    return frozenset()


def cases() -> list[Any]:
    params = []
    for row, (_, statuses) in MATRIX.items():
        for caller, expected in zip(CALLERS, statuses, strict=True):
            for kind in TOKEN_KINDS if caller in CLIENTS else (None,):
                label = f"{row} as {caller}" + (f" ({kind})" if kind else "")
                params.append(pytest.param(row, caller, kind, expected, id=label))
    return params


def send(client: APIClient, world: World, row: str):
    request = REQUESTS[row]
    path = request.path.format(**world.placeholders())
    if request.body is None:
        return getattr(client, request.method)(path)
    encode = urlencode if request.content_type == FORM else json.dumps
    data = encode(request.body)
    return getattr(client, request.method)(path, data=data, content_type=request.content_type)


STATE: tuple[type[Model], ...] = (
    Enrollment,
    EnrollmentAudit,
    Invitation,
    CourseTrack,
    CourseTrackHistory,
    MembershipJob,
    JobTransition,
)


def state() -> dict[str, int]:
    """Row counts of what a write would touch; a refused request must leave them alone."""
    return {model.__name__: model._default_manager.count() for model in STATE}


def check_cell(client_for, world: World, row: str, caller: str, kind: str | None, expected):
    scope = MATRIX[row][0]
    client = client_for(caller, scopes=client_scopes(caller, scope), token_kind=kind)
    before = state()

    response = send(client, world, row)

    status = 200 if expected in (SEES, NONE) else expected
    assert response.status_code == status, response.content[:500]
    if status >= 400:
        assert state() == before, "a refused request changed something"
    if expected in (SEES, NONE):
        users = [enrollment["user"] for enrollment in response.json()]
        assert users == ([LEARNER] if expected == SEES else [])


@pytest.mark.parametrize(("row", "caller", "kind", "expected"), cases())
def test_permission_matrix(client_for, world, row, caller, kind, expected):
    check_cell(client_for, world, row, caller, kind, expected)


def test_the_table_has_one_row_per_request():
    assert list(MATRIX) == list(REQUESTS)


# ------------------------------------------------------------------ the table is complete

#: URL namespaces (and un-namespaced names) whose every view and method the table must cover:
#: Open edX's APIs and ours around them. An app that adds an API adds its namespace and rows.
API_NAMESPACES = {"enrollment-api", "tracks-api", "membership-api", "ecommerce"}
API_NAMES = {"api-schema", "api-docs"}
NOT_OPERATIONS = {"options", "head", "trace"}


def api_operations() -> set[tuple[str, str]]:
    """(URL name, METHOD) of every operation the API serves."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
                continue
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            view = getattr(pattern.callback, "view_class", None)
            covered = namespace in API_NAMESPACES or (namespace is None and name in API_NAMES)
            if view is None or not covered:
                continue
            for method in view.http_method_names:
                if method not in NOT_OPERATIONS and hasattr(view, method):
                    found.add((str(name), method.upper()))

    walk(get_resolver().url_patterns, None)
    return found


def test_every_api_operation_has_a_row():
    some_id = "00000000-0000-0000-0000-000000000001"
    placeholders = {"job": some_id, "failed_job": some_id, "order": "ET-0"}
    rows = set()
    for request in REQUESTS.values():
        match = resolve(urlsplit(request.path.format(**placeholders)).path)
        rows.add((match.view_name, request.method.upper()))

    assert rows == api_operations()


# --------------------------------------------------------------------- the table can fail


def test_the_matrix_catches_a_view_opened_to_everybody(client_for, world, monkeypatch):
    """Were the Commerce PUT open to any signed-in user, the learner's cell would fail."""
    monkeypatch.setattr(commerce_apis.CommerceCourseView, "permission_classes", [AllowAny])
    monkeypatch.setattr(commerce_apis, "may_write_commerce", lambda caller: True)

    with pytest.raises(AssertionError, match="assert 200 == 403"):
        check_cell(client_for, world, "commerce course PUT", "learner", None, 403)


def test_the_matrix_catches_a_scope_that_stopped_mattering(client_for, world, monkeypatch):
    """Were any scope enough for the Commerce API, the client without the scope would pass."""
    monkeypatch.setattr(commerce_apis, "may_write_commerce", lambda caller: caller.is_client)

    with pytest.raises(AssertionError, match="assert 200 == 403"):
        check_cell(client_for, world, "commerce course GET", CLIENT_WITHOUT_SCOPE, "jwt", 403)


def test_a_client_is_judged_as_its_service_user(client_for, world):
    """No scope opens the membership endpoints; a service user in the course team does."""
    CourseAccessRole.objects.create(user=world.service_user, course=world.course, role="staff")

    check_cell(client_for, world, "jobs POST", CLIENT_WITHOUT_SCOPE, "bearer", 201)
