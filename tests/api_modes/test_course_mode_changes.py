"""Open edX's Course Modes API v1 over HTTP, changing and removing: merge patch, 204, CSRF."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from tests.api_modes.conftest import (
    UPGRADE_DEADLINE,
    create_body,
    field_error,
    mode_url,
    modes_url,
    patch,
    with_csrf,
)

# ------------------------------------------------------------------------------- changing


def test_patch_merges_and_answers_204_without_body(staff_api, course, audit_and_verified):
    response = patch(
        staff_api,
        mode_url(course.key, "verified"),
        {"min_price": 222, "mode_display_name": "Something Else", "sku": None},
    )

    assert response.status_code == 204
    assert response.content == b""
    track = CourseTrack.objects.get(slug="verified")
    assert (track.price, track.display_name, track.sku) == (Decimal(222), "Something Else", "")
    assert (track.currency, track.bulk_sku, track.upgrade_deadline) == (
        "usd",
        "A5B6DBE",
        UPGRADE_DEADLINE,
    )


def test_patch_null_deadline_clears_and_unlocks_it(staff_api, course, audit_and_verified):
    response = patch(staff_api, mode_url(course.key, "verified"), {"expiration_datetime": None})

    assert response.status_code == 204
    track = CourseTrack.objects.get(slug="verified")
    assert (track.upgrade_deadline, track.upgrade_deadline_is_explicit) == (None, False)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_patch_needs_merge_patch_content_type(staff_api, course, audit_and_verified, content_type):
    response = patch(staff_api, mode_url(course.key, "verified"), {"min_price": 1}, content_type)

    assert response.status_code == 415
    assert response.json()["detail"] == f'Unsupported media type "{content_type}" in request.'
    assert CourseTrack.objects.get(slug="verified").price == 49


def test_patch_course_id_or_mode_slug_is_400(staff_api, course, audit_and_verified):
    body = {"course_id": "course-v1:edX+DemoX+Demo_Course2", "mode_slug": "audit-2"}

    response = patch(staff_api, mode_url(course.key, "audit"), body)

    assert response.status_code == 400
    assert field_error(response, "course_id") == "This field cannot be modified."
    assert field_error(response, "mode_slug") == "This field cannot be modified."
    assert CourseTrack.objects.filter(slug="audit").exists()


def test_patch_below_minimum_is_400_and_changes_nothing(staff_api, course, audit_and_verified):
    response = patch(staff_api, mode_url(course.key, "verified"), {"min_price": 0})

    assert response.status_code == 400
    assert response.json()["error_code"] == "price_below_minimum"
    assert "minimum price of 1" in field_error(response, "min_price")
    assert CourseTrack.objects.get(slug="verified").price == 49


def test_patch_deadline_on_audit_is_400(staff_api, course, audit_and_verified):
    response = patch(
        staff_api, mode_url(course.key, "audit"), {"expiration_datetime": "2027-05-01T00:00Z"}
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "deadline_not_allowed"
    assert "expiration_datetime" in response.json()["field_errors"]


def test_patch_unknown_mode_is_404(staff_api, course, audit_and_verified):
    assert patch(staff_api, mode_url(course.key, "honor"), {"min_price": 1}).status_code == 404


def test_patch_a_json_list_is_400(staff_api, course, audit_and_verified):
    response = patch(staff_api, mode_url(course.key, "audit"), [1, 2])

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "Invalid data. Expected a dictionary, but got list."
    ]


def test_existing_paid_mode_stays_editable_with_ecommerce_off(
    staff_api, course, audit_and_verified
):
    site_configuration_update(ecommerce_enabled=False)

    response = patch(staff_api, mode_url(course.key, "verified"), {"min_price": 59})

    assert response.status_code == 204
    assert CourseTrack.objects.get(slug="verified").price == 59


# ------------------------------------------------------------------------------- removing


def test_delete_answers_204_and_records_the_actor(
    staff_api, course, audit_and_verified, global_staff
):
    response = staff_api.delete(mode_url(course.key, "verified"))

    assert response.status_code == 204
    assert list(CourseTrack.objects.values_list("slug", flat=True)) == ["audit"]
    removed = CourseTrackHistory.objects.get(change=TrackChange.REMOVED)
    assert (removed.slug, removed.actor) == ("verified", global_staff)


def test_delete_unknown_mode_is_404(staff_api, course, audit_and_verified):
    assert staff_api.delete(mode_url(course.key, "honor")).status_code == 404


# ------------------------------------------------------------------------------- CSRF


def test_session_writes_enforce_csrf(api, course, course_team):
    client = api(course_team, enforce_csrf_checks=True)

    response = client.post(modes_url(course.key), create_body(), format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not CourseTrack.objects.exists()


def test_the_csrf_token_lets_a_session_write_through(api, course, course_team):
    client = with_csrf(api(course_team, enforce_csrf_checks=True))

    response = client.post(modes_url(course.key), create_body(), format="json")

    assert response.status_code == 201
    assert CourseTrackHistory.objects.get().actor == course_team
