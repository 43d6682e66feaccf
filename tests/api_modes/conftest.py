from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory

from enrollment_tracks.courses.models import CourseRun
from tests.factories import enable_paid_tracks, make_course, make_course_team, make_track

COURSE_END = dt.datetime(2027, 12, 31, tzinfo=dt.UTC)
UPGRADE_DEADLINE = dt.datetime(2027, 6, 30, 23, 59, tzinfo=dt.UTC)
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def course() -> CourseRun:
    return make_course(
        key="course-v1:edX+DemoX+Demo_Course",
        title="Demonstration Course",
        start=dt.datetime(2027, 1, 10, tzinfo=dt.UTC),
        end=COURSE_END,
    )


@pytest.fixture
def other_course() -> CourseRun:
    return make_course(key="course-v1:edX+DemoX+Other_Course", title="Other Course", end=COURSE_END)


@pytest.fixture
def paid_site() -> None:
    """E-commerce and ID verification switched on: paid tracks may be added."""
    enable_paid_tracks()


@pytest.fixture
def course_team(course):
    return make_course_team(course, role="staff")


@pytest.fixture
def other_team(other_course):
    return make_course_team(other_course, role="instructor")


@pytest.fixture
def api():
    """``api(user)``: an APIClient signed in with a session (None: anonymous)."""

    def client_for(user=None, **options) -> APIClient:
        client = APIClient(**options)
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def staff_api(api, global_staff) -> APIClient:
    return api(global_staff)


def csrf_pair() -> tuple[str, str]:
    """(cookie secret, header token) as the CSRF middleware would hand them to a browser."""
    request = RequestFactory().get("/")
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def with_csrf(client: APIClient) -> APIClient:
    secret, token = csrf_pair()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


def anonymous_status() -> int:
    """401 when the first authentication class names a scheme (bearer), else DRF's 403."""
    first_class: Any = api_settings.DEFAULT_AUTHENTICATION_CLASSES[0]
    first = first_class()
    return 401 if first.authenticate_header(Request(APIRequestFactory().get("/"))) else 403


def modes_url(course_key: str) -> str:
    return reverse("tracks-api:course-modes", args=[course_key])


def mode_url(course_key: str, slug: str) -> str:
    return reverse("tracks-api:course-mode", args=[course_key, slug])


def commerce_url(course_key: str | None = None) -> str:
    if course_key is None:
        return reverse("tracks-api:commerce-courses")
    return reverse("tracks-api:commerce-course", args=[course_key])


def patch(client: APIClient, url: str, body: object, content_type: str = MERGE_PATCH):
    return client.patch(url, data=json.dumps(body), content_type=content_type)


def put(client: APIClient, url: str, body: object):
    return client.put(url, data=json.dumps(body), content_type="application/json")


def field_error(response, field: str) -> str:
    """The message for ``field``, checked in both shapes the body carries it."""
    body = response.json()
    message = body["field_errors"][field]["developer_message"]
    assert body[field] == [message]
    return message


# ------------------------------------------------------------------ course modes

AUDIT = {
    "course_id": "course-v1:edX+DemoX+Demo_Course",
    "mode_slug": "audit",
    "mode_display_name": "Audit",
    "min_price": 0,
    "currency": "usd",
    "expiration_datetime": None,
    "expiration_datetime_is_explicit": False,
    "description": None,
    "sku": None,
    "bulk_sku": None,
}
VERIFIED = {
    **AUDIT,
    "mode_slug": "verified",
    "mode_display_name": "Verified Certificate",
    "min_price": 49,
    "expiration_datetime": "2027-06-30T23:59:00Z",
    "expiration_datetime_is_explicit": True,
    "description": "Earn a verified certificate.",
    "sku": "8CF08E5",
    "bulk_sku": "A5B6DBE",
}


@pytest.fixture
def audit_and_verified(course, paid_site):
    make_track(course, "audit", display_name="Audit")
    make_track(
        course,
        "verified",
        display_name="Verified Certificate",
        price=49,
        upgrade_deadline=UPGRADE_DEADLINE,
        upgrade_deadline_is_explicit=True,
        description="Earn a verified certificate.",
        sku="8CF08E5",
        bulk_sku="A5B6DBE",
    )


def create_body(**fields):
    body = {
        "course_id": "course-v1:edX+DemoX+Demo_Course",
        "mode_slug": "honor",
        "mode_display_name": "Honor",
        "currency": "usd",
    }
    return {**body, **fields}
