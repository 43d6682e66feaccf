"""Open edX's Course Modes API v1 over HTTP, reading and creating: shapes, statuses, messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from tests.api_modes.conftest import (
    AUDIT,
    VERIFIED,
    create_body,
    field_error,
    mode_url,
    modes_url,
)
from tests.factories import make_track

# ------------------------------------------------------------------------------- reading


def test_list_renders_every_field_as_open_edx(staff_api, course, audit_and_verified):
    response = staff_api.get(modes_url(course.key))

    assert response.status_code == 200
    assert response.json() == [AUDIT, VERIFIED]


def test_list_includes_expired_modes(staff_api, course, paid_site):
    expired = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    make_track(course, "verified", price=10, upgrade_deadline=expired)

    response = staff_api.get(modes_url(course.key))

    assert [mode["expiration_datetime"] for mode in response.json()] == ["2020-01-01T00:00:00Z"]


def test_list_of_a_course_without_modes_is_empty_not_the_virtual_audit(staff_api, course):
    assert staff_api.get(modes_url(course.key)).json() == []


def test_list_of_an_unknown_course_is_200_empty(staff_api):
    response = staff_api.get(modes_url("course-v1:No+Such+Course"))

    assert (response.status_code, response.json()) == (200, [])


def test_list_with_a_malformed_course_key_is_404(staff_api):
    response = staff_api.get(modes_url("course-v1:no+key+here+at+all"))

    assert response.status_code == 404
    assert response.json()["error_code"] == "course_not_found"


def test_price_with_cents_renders_as_a_number(staff_api, course, paid_site):
    make_track(course, "verified", price="49.99")

    assert staff_api.get(mode_url(course.key, "verified")).json()["min_price"] == 49.99


def test_retrieve_one_mode(staff_api, course, audit_and_verified):
    response = staff_api.get(mode_url(course.key, "verified"))

    assert response.status_code == 200
    assert response.json() == VERIFIED


def test_retrieve_unknown_mode_is_404_with_drfs_message(staff_api, course, audit_and_verified):
    response = staff_api.get(mode_url(course.key, "professional"))

    assert response.status_code == 404
    body = response.json()
    assert body["detail"] == body["developer_message"] == "No CourseMode matches the given query."


def test_retrieve_in_unknown_course_is_404(staff_api):
    assert staff_api.get(mode_url("course-v1:No+Such+Course", "audit")).status_code == 404


def test_detail_path_has_no_trailing_slash(staff_api, course, audit_and_verified):
    url = mode_url(course.key, "audit")

    assert url.endswith("/audit")
    assert staff_api.get(url + "/").status_code == 404


def test_put_and_post_are_not_allowed_on_a_mode(staff_api, course, audit_and_verified):
    url = mode_url(course.key, "audit")

    assert staff_api.put(url, {}, format="json").status_code == 405
    assert staff_api.post(url, {}, format="json").status_code == 405


# ------------------------------------------------------------------------------- creating


def test_create_answers_201_with_the_mode(staff_api, course, global_staff):
    response = staff_api.post(modes_url(course.key), create_body(), format="json")

    assert response.status_code == 201
    assert response.json() == {**AUDIT, "mode_slug": "honor", "mode_display_name": "Honor"}
    track = CourseTrack.objects.get(course=course)
    assert (track.slug, track.price, track.currency) == ("honor", Decimal(0), "usd")
    history = CourseTrackHistory.objects.get(course=course)
    assert (history.change, history.actor) == (TrackChange.ADDED, global_staff)


def test_create_form_encoded_as_open_edx_tests_do(staff_api, course, paid_site):
    response = staff_api.post(modes_url(course.key), create_body(mode_slug="masters"))

    assert response.status_code == 201
    assert response.json()["mode_slug"] == "masters"


def test_create_with_every_field(staff_api, course, paid_site):
    body = {**VERIFIED, "min_price": "49.00", "currency": "USD"}

    response = staff_api.post(modes_url(course.key), body, format="json")

    assert response.status_code == 201
    assert response.json() == VERIFIED


def test_create_accepts_decimals(staff_api, course, paid_site):
    response = staff_api.post(
        modes_url(course.key), create_body(mode_slug="verified", min_price=49.5), format="json"
    )

    assert response.status_code == 201
    assert response.json()["min_price"] == 49.5
    assert CourseTrack.objects.get().price == Decimal("49.50")


def test_a_deadline_without_the_lock_flag_is_locked_as_in_open_edx(staff_api, course, paid_site):
    body = create_body(mode_slug="verified", min_price=10, expiration_datetime="2027-06-30T23:59")

    response = staff_api.post(modes_url(course.key), body, format="json")

    assert response.json()["expiration_datetime_is_explicit"] is True


def test_create_without_required_fields_names_each(staff_api, course):
    body = {"course_id": course.key, "mode_slug": "phd"}

    response = staff_api.post(modes_url(course.key), body, format="json")

    assert response.status_code == 400
    assert field_error(response, "currency") == "This field is required."
    assert field_error(response, "mode_display_name") == "This field is required."
    assert not CourseTrack.objects.exists()


def test_create_for_another_course_in_the_body_is_400(staff_api, course, other_course):
    body = create_body(course_id=other_course.key)

    response = staff_api.post(modes_url(course.key), body, format="json")

    assert response.status_code == 400
    assert field_error(response, "course_id") == "The course_id must be the course of the URL."
    assert not CourseTrack.objects.exists()


def test_create_in_unknown_course_is_404(staff_api):
    body = create_body(course_id="course-v1:No+Such+Course")

    assert staff_api.post(modes_url(body["course_id"]), body, format="json").status_code == 404


def test_create_a_duplicate_is_409(staff_api, course):
    make_track(course, "honor")

    response = staff_api.post(modes_url(course.key), create_body(), format="json")

    assert response.status_code == 409
    assert response.json()["error_code"] == "duplicate_track"
    assert response.json()["field_errors"]["mode_slug"]["developer_message"] == (
        "This course already offers Honor in USD."
    )


BAD_CREATES = [
    pytest.param(
        {"mode_slug": "verified", "min_price": "0.5"},
        "price_below_minimum",
        "min_price",
        "The Verified track has a minimum price of 1. Set a price greater than or equal to 1.",
        id="price below minimum",
    ),
    pytest.param(
        {"min_price": -5},
        "negative_price",
        "min_price",
        "A price cannot be negative.",
        id="negative price",
    ),
    pytest.param(
        {"min_price": "ten"},
        "invalid_price",
        "min_price",
        "“ten” is not a number.",
        id="price not a number",
    ),
    pytest.param(
        {"min_price": True},
        "invalid",
        "min_price",
        "A valid number is required.",
        id="price a boolean",
    ),
    pytest.param(
        {"currency": "xyz"},
        "unknown_currency",
        "currency",
        "“xyz” is not a known ISO 4217 currency code (for example usd or eur).",
        id="unknown currency",
    ),
    pytest.param(
        {"expiration_datetime": "2027-06-30T00:00:00Z"},
        "deadline_not_allowed",
        "expiration_datetime",
        "Only tracks that learners upgrade to can have an upgrade deadline; Honor cannot. "
        "Close enrollment with the course's enrollment end date instead.",
        id="deadline on honor",
    ),
    pytest.param(
        {"mode_slug": "verified", "min_price": 10, "expiration_datetime": "2028-01-01T00:00Z"},
        "deadline_after_course_end",
        "expiration_datetime",
        "The upgrade deadline must be on or before the course's end.",
        id="deadline after the course's end",
    ),
    pytest.param(
        {"mode_slug": "verified", "min_price": 10, "expiration_datetime_is_explicit": True},
        "deadline_required",
        "expiration_datetime",
        "Give an upgrade deadline before locking it.",
        id="lock without deadline",
    ),
    pytest.param(
        {"mode_slug": "gold"},
        "unknown_track",
        "mode_slug",
        None,
        id="slug not in the catalog",
    ),
]


@pytest.mark.parametrize(("fields", "code", "field", "message"), BAD_CREATES)
def test_invalid_create_is_400_naming_the_field(
    staff_api, course, paid_site, fields, code, field, message
):
    response = staff_api.post(modes_url(course.key), create_body(**fields), format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error_code"] == code
    if message is not None:
        assert field_error(response, field) == message
    assert not CourseTrack.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"mode_slug": "verified", "min_price": 49}, "mode_slug", id="verified"),
        pytest.param({"min_price": 20}, "min_price", id="priced honor"),
    ],
)
def test_paid_mode_with_ecommerce_off_is_400(staff_api, course, fields, field):
    site_configuration_update(ecommerce_enabled=False, id_verification_enabled=True)

    response = staff_api.post(modes_url(course.key), create_body(**fields), format="json")

    assert response.status_code == 400
    assert response.json()["error_code"] == "ecommerce_disabled"
    assert "enable e-commerce for the site first" in field_error(response, field)
    assert not CourseTrack.objects.exists()
