from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from enrollment_tracks.api.permissions import ALL_SCOPES
from enrollment_tracks.api.services import ApiClientCreated, api_client_create
from enrollment_tracks.courses.models import CourseRun
from tests.factories import UserFactory, make_course

TOKEN_URL = "/oauth2/access_token"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def service_user():
    return UserFactory(username="ecommerce_worker")


@pytest.fixture
def make_client(service_user) -> Callable[..., ApiClientCreated]:
    """``make_client(scopes=..., user=..., name=...)``: a registered client-credentials client."""
    counter = iter(range(1, 1000))

    def make(
        scopes: frozenset[str] | set[str] = ALL_SCOPES, user=None, name: str | None = None
    ) -> ApiClientCreated:
        return api_client_create(
            name=name or f"Client {next(counter)}",
            scopes=frozenset(scopes),
            user=user or service_user,
        )

    return make


@pytest.fixture
def client_credentials(make_client) -> ApiClientCreated:
    return make_client()


def request_token(client: ApiClientCreated, **fields: str):
    """POST the client's credentials to the token endpoint (form-encoded, as clients do)."""
    body = {
        "grant_type": "client_credentials",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        **fields,
    }
    return Client().post(TOKEN_URL, urlencode(body), content_type=FORM)


def token_of(client: ApiClientCreated, **fields: str) -> str:
    response = request_token(client, **fields)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


@pytest.fixture
def course() -> CourseRun:
    return make_course(key="course-v1:edX+DemoX+Demo_Course")


def jobs_url(course: CourseRun) -> str:
    return reverse("membership-api:job-list", args=[course.key])


def get_jobs(course: CourseRun, **headers: str):
    return APIClient().get(jobs_url(course), **headers)
