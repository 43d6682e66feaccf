"""GET /api/enrollment/v1/course/{course_id}: anonymous, the course and its modes (4.2, 4.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.courses.services import course_update
from enrollment_tracks.courses.types import CourseInput
from tests.api_enrollment.conftest import KEY, UPGRADE_DEADLINE, course_url
from tests.factories import make_track

PAST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
AUDIT = {
    "slug": "audit",
    "name": "Audit",
    "min_price": 0,
    "suggested_prices": "",
    "currency": "usd",
    "expiration_datetime": None,
    "description": None,
    "sku": None,
    "bulk_sku": None,
}


def test_anonymous_gets_the_virtual_audit_mode_of_a_course_without_modes(api, course):
    response = api().get(course_url(KEY))

    assert response.status_code == 200
    assert response.json() == {
        "course_id": KEY,
        "course_name": "Demonstration Course",
        "enrollment_start": None,
        "enrollment_end": None,
        "course_start": "2027-01-10T00:00:00Z",
        "course_end": "2027-12-31T00:00:00Z",
        "invite_only": False,
        "pacing_type": "Instructor Paced",
        "course_modes": [AUDIT],
    }


def test_every_field_of_configured_modes_and_the_course(api, course, paid_site):
    course_update(
        course=course,
        data=CourseInput(
            key=KEY,
            title="Demonstration Course",
            start=course.start,
            end=course.end,
            enrollment_start=dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC),
            enrollment_end=dt.datetime(2027, 2, 1, tzinfo=dt.UTC),
            invitation_only=True,
            pacing="self",
        ),
    )
    make_track(course, "audit")
    make_track(
        course,
        "verified",
        price=49,
        upgrade_deadline=UPGRADE_DEADLINE,
        display_name="Verified Certificate",
        description="A certificate with your name.",
        sku="SKU-V",
        bulk_sku="BULK-V",
    )
    make_track(course, "credit")

    body = api().get(course_url(KEY)).json()

    assert body["enrollment_start"] == "2026-12-01T08:30:00Z"
    assert body["enrollment_end"] == "2027-02-01T00:00:00Z"
    assert (body["invite_only"], body["pacing_type"]) == (True, "Self Paced")
    assert body["course_modes"] == [
        AUDIT,
        {**AUDIT, "slug": "credit", "name": "Credit"},
        {
            "slug": "verified",
            "name": "Verified Certificate",
            "min_price": 49,
            "suggested_prices": "",
            "currency": "usd",
            "expiration_datetime": "2027-06-30T23:59:00Z",
            "description": "A certificate with your name.",
            "sku": "SKU-V",
            "bulk_sku": "BULK-V",
        },
    ]


@pytest.fixture
def expired_verified(course, paid_site):
    make_track(course, "audit")
    make_track(course, "verified", price=49, upgrade_deadline=PAST)
    return course


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ({}, ["audit"]),
        ({"include_expired": ""}, ["audit"]),
        ({"include_expired": "1"}, ["audit", "verified"]),
        ({"include_expired": "true"}, ["audit", "verified"]),
        ({"include_expired": "0"}, ["audit", "verified"]),  # Open edX: bool("0") is true
        ({"include_expired": "false"}, ["audit", "verified"]),
    ],
)
def test_include_expired_is_true_for_any_non_empty_value(api, expired_verified, query, slugs):
    body = api().get(course_url(KEY), query).json()

    assert [mode["slug"] for mode in body["course_modes"]] == slugs


def test_only_expired_modes_means_the_virtual_audit_mode(api, course, paid_site):
    make_track(course, "verified", price=49, upgrade_deadline=PAST)

    assert api().get(course_url(KEY)).json()["course_modes"] == [AUDIT]


@pytest.mark.parametrize("key", ["course-v1:No+Such+Course", "junk:a+b+c"])
def test_unknown_or_malformed_course_is_400(api, key):
    response = api().get(course_url(key))

    assert response.status_code == 400
    assert response.json() == {"message": f"No course found for course ID '{key}'"}


def test_a_path_that_is_no_course_key_is_404(api):
    assert api().get(course_url("nothing")).status_code == 404


def test_no_authentication_is_read(api, course, learner):
    """Open edX's view has no authentication classes: a broken credential does not matter."""
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token", HTTP_X_EDX_API_KEY="wrong")

    assert client.get(course_url(KEY)).status_code == 200
