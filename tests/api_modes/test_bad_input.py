"""Bad input to the Course Modes and Commerce APIs: oversized bodies, malformed keys in bodies."""

from __future__ import annotations

import json

import pytest

from enrollment_tracks.core.request_size import SMALL_BODY_BYTES
from enrollment_tracks.tracks.models import CourseTrack
from tests.api_modes.conftest import (
    MERGE_PATCH,
    commerce_url,
    create_body,
    field_error,
    mode_url,
    modes_url,
)

TOO_LARGE = (
    f"The request body is too large: this endpoint accepts at most {SMALL_BODY_BYTES} bytes."
)


def oversized(body: dict) -> str:
    return json.dumps({**body, "description": "x" * SMALL_BODY_BYTES})


def test_an_oversized_create_is_413(staff_api, course):
    response = staff_api.post(
        modes_url(course.key), oversized(create_body()), content_type="application/json"
    )

    assert response.status_code == 413
    assert (response.json()["error_code"], response.json()["developer_message"]) == (
        "request_too_large",
        TOO_LARGE,
    )
    assert not CourseTrack.objects.exists()


def test_an_oversized_patch_is_413(staff_api, course, audit_and_verified):
    response = staff_api.patch(
        mode_url(course.key, "verified"), oversized({"min_price": 99}), content_type=MERGE_PATCH
    )

    assert response.status_code == 413
    assert response.json()["developer_message"] == TOO_LARGE
    assert CourseTrack.objects.get(slug="verified").price == 49


def test_an_oversized_commerce_put_is_413(staff_api, course):
    body = {"id": course.key, "modes": [{"name": "honor", "price": 0}]}

    response = staff_api.put(
        commerce_url(course.key), oversized(body), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["developer_message"] == TOO_LARGE
    assert not CourseTrack.objects.exists()


@pytest.mark.parametrize("key", ["not a key", "course-v1:onlyorg", "junk:a+b+c"])
def test_a_malformed_course_id_in_a_create_body_is_400(staff_api, course, key):
    response = staff_api.post(modes_url(course.key), create_body(course_id=key), format="json")

    assert response.status_code == 400
    assert field_error(response, "course_id")
    assert not CourseTrack.objects.exists()
