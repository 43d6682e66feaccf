from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.test import APIClient, APIRequestFactory

from enrollment_tracks.courses.models import CourseRun
from tests.factories import UserFactory, enable_paid_tracks, make_course, make_course_team

KEY = "course-v1:edX+DemoX+Demo_Course"
V1 = "/api/enrollment/v1/"
ENROLLMENT = V1 + "enrollment"
ENROLLMENTS = V1 + "enrollments"
ALLOWED = V1 + "enrollment_allowed/"
ROLES = V1 + "roles/"
COURSE_START = dt.datetime(2027, 1, 10, tzinfo=dt.UTC)
COURSE_END = dt.datetime(2027, 12, 31, tzinfo=dt.UTC)
UPGRADE_DEADLINE = dt.datetime(2027, 6, 30, 23, 59, tzinfo=dt.UTC)


def enrollment_url(course_key: str, username: str | None = None) -> str:
    return f"{ENROLLMENT}/{username},{course_key}" if username else f"{ENROLLMENT}/{course_key}"


def course_url(course_key: str) -> str:
    return f"{V1}course/{course_key}"


def post_json(client: APIClient, url: str, body: Any, method: str = "post"):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def enroll(client: APIClient, course_key: str = KEY, **fields: Any):
    """POST `enrollment` with ``course_details.course_id`` and the other fields."""
    return post_json(client, ENROLLMENT, {"course_details": {"course_id": course_key}, **fields})


def anonymous_status() -> int:
    """401 when the first authentication class names a scheme (bearer), else DRF's 403."""
    first = api_settings.DEFAULT_AUTHENTICATION_CLASSES[0]()
    return 401 if first.authenticate_header(Request(APIRequestFactory().get("/"))) else 403


def with_csrf(client: APIClient) -> APIClient:
    """Give the client the CSRF cookie and header a browser would send."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


@pytest.fixture
def course() -> CourseRun:
    """A course with no configured track: it offers the virtual audit track."""
    return make_course(key=KEY, title="Demonstration Course", start=COURSE_START, end=COURSE_END)


@pytest.fixture
def other_course() -> CourseRun:
    return make_course(key="course-v1:edX+DemoX+Other_Course", title="Other Course")


@pytest.fixture
def paid_site() -> None:
    """E-commerce and ID verification on: paid tracks may be configured and sold."""
    enable_paid_tracks()


@pytest.fixture
def course_team(course):
    return make_course_team(course, role="staff")


@pytest.fixture
def other_team(other_course):
    return make_course_team(other_course, role="instructor")


@pytest.fixture
def other_learner():
    return UserFactory()


@pytest.fixture
def api():
    """``api(user)``: an APIClient signed in with a session (None: anonymous); CSRF is not
    checked unless ``enforce_csrf_checks=True`` is given."""

    def client_for(user=None, **options) -> APIClient:
        client = APIClient(**options)
        if user is not None:
            client.force_login(user)
        return client

    return client_for


@pytest.fixture
def learner_api(api, learner) -> APIClient:
    return api(learner)


@pytest.fixture
def staff_api(api, global_staff) -> APIClient:
    return api(global_staff)
