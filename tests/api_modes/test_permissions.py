"""Who may call the Course Modes and Commerce APIs: one table, every endpoint by every caller."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser

from enrollment_tracks.api.callers import Via
from enrollment_tracks.tracks import apis, commerce_apis
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory
from tests.api_modes.conftest import (
    MERGE_PATCH,
    anonymous_status,
    commerce_url,
    mode_url,
    modes_url,
)
from tests.factories import UserFactory, make_track

KEY = "course-v1:edX+DemoX+Demo_Course"
A = "anonymous"
NEW_MODE = {"course_id": KEY, "mode_slug": "masters", "mode_display_name": "M", "currency": "usd"}
PUT_BODY = {"id": KEY, "modes": [{"name": "audit", "currency": "usd", "price": 0}]}

# (method, url, body, content type) per endpoint.
ENDPOINTS = {
    "modes list": ("get", modes_url(KEY), None, None),
    "modes create": ("post", modes_url(KEY), NEW_MODE, "application/json"),
    "mode retrieve": ("get", mode_url(KEY, "audit"), None, None),
    "mode update": ("patch", mode_url(KEY, "audit"), {"description": "x"}, MERGE_PATCH),
    "mode destroy": ("delete", mode_url(KEY, "audit"), None, None),
    "commerce list": ("get", commerce_url(), None, None),
    "commerce retrieve": ("get", commerce_url(KEY), None, None),
    "commerce update": ("put", commerce_url(KEY), PUT_BODY, "application/json"),
}
CALLERS = ("anonymous", "learner", "course team", "other course team", "global staff")
OK = {
    "modes list": 200,
    "modes create": 201,
    "mode retrieve": 200,
    "mode update": 204,
    "mode destroy": 204,
    "commerce list": 200,
    "commerce retrieve": 200,
    "commerce update": 200,
}
# Expected status per endpoint: (anonymous, learner, course team, other course team, staff).
MATRIX = {
    "modes list": (A, 403, "ok", 403, "ok"),
    "modes create": (A, 403, "ok", 403, "ok"),
    "mode retrieve": (A, 403, "ok", 403, "ok"),
    "mode update": (A, 403, "ok", 403, "ok"),
    "mode destroy": (A, 403, "ok", 403, "ok"),
    "commerce list": (A, 403, 403, 403, "ok"),
    "commerce retrieve": (A, 403, 403, 403, "ok"),
    "commerce update": (A, 403, 403, 403, "ok"),
}
CASES = [
    pytest.param(endpoint, caller, expected, id=f"{endpoint} as {caller}")
    for endpoint, row in MATRIX.items()
    for caller, expected in zip(CALLERS, row, strict=True)
]


@pytest.fixture
def course_with_audit(course):
    make_track(course, "audit")
    return course


def send(client, endpoint: str):
    method, url, body, content_type = ENDPOINTS[endpoint]
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type=content_type)


@pytest.mark.parametrize(("endpoint", "caller", "expected"), CASES)
def test_permission_matrix(
    api, paid_site, course_with_audit, course_team, other_team, global_staff,
    endpoint, caller, expected,
):  # fmt: skip
    users = {
        "anonymous": None,
        "learner": UserFactory(),
        "course team": course_team,
        "other course team": other_team,
        "global staff": global_staff,
    }
    status = {A: anonymous_status(), "ok": OK[endpoint]}.get(expected, expected)
    before = CourseTrackHistory.objects.count()

    response = send(api(users[caller]), endpoint)

    assert response.status_code == status, response.content
    if status >= 400:
        assert CourseTrackHistory.objects.count() == before
        assert response.json()["developer_message"] == response.json()["detail"]
    if status == 403 and caller != "anonymous":
        assert response.json()["detail"] == "You do not have permission to perform this action."


# --------------------------------------------------------------- service clients (simulated)


@dataclass(frozen=True)
class FakeClientAuth:
    """What the auth helper's OAuth2 class leaves in ``request.auth`` for a client."""

    client_id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    via: Via = Via.OAUTH2


class HeaderClientAuthentication:
    """A stand-in authentication class: ``X-Test-Scopes: a b`` makes the caller a client."""

    def authenticate(self, request):
        scopes = request.META.get("HTTP_X_TEST_SCOPES")
        if scopes is None:
            return None
        return AnonymousUser(), FakeClientAuth("shop", frozenset(scopes.split()))

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


@pytest.fixture
def client_views(monkeypatch):
    views = (
        apis.CourseModesView,
        apis.CourseModeDetailView,
        commerce_apis.CommerceCourseListView,
        commerce_apis.CommerceCourseView,
    )
    for view in views:
        monkeypatch.setattr(view, "authentication_classes", [HeaderClientAuthentication])


@pytest.mark.parametrize(
    ("scopes", "endpoint", "expected"),
    [
        ("course_modes:read", "modes list", 200),
        ("course_modes:read", "modes create", 403),
        ("course_modes:write", "modes create", 201),
        ("course_modes:write", "mode destroy", 204),
        ("course_modes:write", "commerce update", 403),
        ("commerce:write", "commerce retrieve", 200),
        ("commerce:write", "commerce update", 200),
        ("commerce:write", "modes list", 403),
    ],
)
def test_service_client_scopes(
    api, client_views, paid_site, course_with_audit, scopes, endpoint, expected
):
    response = send(api(HTTP_X_TEST_SCOPES=scopes), endpoint)

    assert response.status_code == expected, response.content


def test_unauthenticated_with_a_bearer_scheme_is_401(api, client_views, course_with_audit):
    response = send(api(), "modes list")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_client_writes_with_no_actor_in_the_history(api, client_views, paid_site, course):
    response = send(api(HTTP_X_TEST_SCOPES="course_modes:write"), "modes create")

    assert response.status_code == 201
    assert CourseTrack.objects.get().slug == "masters"
    assert CourseTrackHistory.objects.get().actor is None
