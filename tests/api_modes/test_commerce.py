"""Open edX's Commerce API v1 (courses) over HTTP: the list, the detail, the full-replace PUT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.tracks.models import (
    CourseTrack,
    CourseTrackHistory,
    CourseVerificationDeadline,
    TrackChange,
)
from enrollment_tracks.tracks.services import course_verification_deadline_set
from tests.api_modes.conftest import UPGRADE_DEADLINE, commerce_url, field_error, put
from tests.factories import make_course, make_track

KEY = "course-v1:edX+DemoX+Demo_Course"
VERIFIED = {
    "name": "verified",
    "currency": "usd",
    "price": 100,
    "sku": "ABC123",
    "bulk_sku": "BULK-ABC123",
    "expires": "2027-06-30T23:59:00Z",
    "android_sku": None,
    "ios_sku": None,
}
HONOR = {
    "name": "honor",
    "currency": "usd",
    "price": 0,
    "sku": "DEADBEEF",
    "bulk_sku": "BULK-DEADBEEF",
    "expires": None,
    "android_sku": None,
    "ios_sku": None,
}
VERIFICATION_DEADLINE = dt.datetime(2027, 7, 31, tzinfo=dt.UTC)


@pytest.fixture
def verified_course(course, paid_site):
    make_track(
        course,
        "verified",
        price=100,
        currency="USD",
        sku="ABC123",
        bulk_sku="BULK-ABC123",
        upgrade_deadline=UPGRADE_DEADLINE,
        upgrade_deadline_is_explicit=True,
    )
    return course


def body(*modes, **fields):
    return {"id": KEY, "modes": list(modes), **fields}


def slugs(course) -> list[str]:
    return sorted(CourseTrack.objects.filter(course=course).values_list("slug", flat=True))


# ------------------------------------------------------------------------------- reading


def test_list_has_every_course_with_modes_and_no_deadline(staff_api, verified_course):
    make_course(key="course-v1:edX+Empty+2027", title="No modes")
    course_verification_deadline_set(
        actor=None, course=verified_course, deadline=VERIFICATION_DEADLINE
    )

    response = staff_api.get(commerce_url())

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": KEY,
            "name": "Demonstration Course",
            "verification_deadline": None,
            "modes": [VERIFIED],
        }
    ]


def test_detail_renders_the_course_with_its_verification_deadline(staff_api, verified_course):
    course_verification_deadline_set(
        actor=None, course=verified_course, deadline=VERIFICATION_DEADLINE
    )

    response = staff_api.get(commerce_url(KEY))

    assert response.status_code == 200
    assert response.json() == {
        "id": KEY,
        "name": "Demonstration Course",
        "verification_deadline": "2027-07-31T00:00:00Z",
        "modes": [VERIFIED],
    }


def test_detail_of_a_course_without_modes_is_404(staff_api, course):
    assert staff_api.get(commerce_url(KEY)).status_code == 404


@pytest.mark.parametrize("key", ["course-v1:No+Such+Course", "a/b/c", "course-v1:bad+key+x+y"])
def test_detail_of_an_unknown_or_malformed_course_is_404(staff_api, key):
    assert staff_api.get(commerce_url(key)).status_code == 404


# ------------------------------------------------------------------------------- replacing


def test_put_updates_answers_200_and_stores_the_deadline(staff_api, verified_course):
    sent = body({**VERIFIED, "price": 200}, verification_deadline="2027-07-31T00:00:00Z")

    response = put(staff_api, commerce_url(KEY), sent)

    assert response.status_code == 200, response.content
    assert response.json() == {**sent, "name": "Demonstration Course"}
    track = CourseTrack.objects.get(course=verified_course)
    assert (track.price, track.display_name) == (Decimal(200), "Verified Certificate")
    deadline = CourseVerificationDeadline.objects.get(course=verified_course)
    assert (deadline.deadline, deadline.deadline_is_explicit) == (VERIFICATION_DEADLINE, True)


def test_put_creates_answers_201_and_names_the_modes(staff_api, course, paid_site):
    response = put(staff_api, commerce_url(KEY), body(VERIFIED, HONOR))

    assert response.status_code == 201, response.content
    assert response.json()["modes"] == [HONOR, VERIFIED]
    names = dict(CourseTrack.objects.values_list("slug", "display_name"))
    assert names == {"verified": "Verified Certificate", "honor": "Honor Certificate"}
    assert CourseTrackHistory.objects.get(slug="verified").actor is not None


def test_put_deletes_modes_missing_from_the_payload_but_keeps_masters(staff_api, verified_course):
    make_track(verified_course, "audit")
    make_track(verified_course, "masters")
    credit = {**HONOR, "name": "credit", "price": 500}

    response = put(staff_api, commerce_url(KEY), body(credit))

    assert response.status_code == 200
    assert slugs(verified_course) == ["credit", "masters"]
    assert [mode["name"] for mode in response.json()["modes"]] == ["credit", "masters"]
    removed = CourseTrackHistory.objects.filter(change=TrackChange.REMOVED)
    assert sorted(removed.values_list("slug", flat=True)) == ["audit", "verified"]


def test_put_with_an_invalid_second_mode_changes_nothing(staff_api, verified_course):
    make_track(verified_course, "audit")
    history = CourseTrackHistory.objects.count()
    below_minimum = {**VERIFIED, "name": "professional", "price": 0, "expires": None}

    response = put(
        staff_api,
        commerce_url(KEY),
        body({**HONOR, "name": "audit"}, below_minimum, verification_deadline=None),
    )

    assert response.status_code == 400
    assert response.json()["error_code"] == "price_below_minimum"
    assert "minimum price of 1" in field_error(response, "modes[1].price")
    assert slugs(verified_course) == ["audit", "verified"]
    assert CourseTrack.objects.get(slug="verified").price == 100
    assert CourseTrackHistory.objects.count() == history


def test_put_professional_with_expires_is_400(staff_api, course, paid_site):
    professional = {**VERIFIED, "name": "professional"}

    response = put(staff_api, commerce_url(KEY), body(professional))

    assert response.status_code == 400
    assert response.json()["error_code"] == "deadline_not_allowed"
    assert "modes[0].expires" in response.json()["field_errors"]
    assert not CourseTrack.objects.exists()


def test_put_paid_mode_with_ecommerce_off_is_400(staff_api, course):
    site_configuration_update(ecommerce_enabled=False, id_verification_enabled=True)

    response = put(staff_api, commerce_url(KEY), body(VERIFIED))

    assert response.status_code == 400
    assert response.json()["error_code"] == "ecommerce_disabled"
    assert "enable e-commerce" in field_error(response, "modes[0].name")


def test_verification_deadline_before_an_upgrade_deadline_is_400(staff_api, verified_course):
    sent = body(VERIFIED, verification_deadline="2027-06-01T00:00:00Z")

    response = put(staff_api, commerce_url(KEY), sent)

    assert response.status_code == 400
    assert response.json()["non_field_errors"] == [
        "Verification deadline must be after the course mode upgrade deadlines."
    ]
    assert response.json()["error_code"] == "verification_deadline_too_early"
    assert not CourseVerificationDeadline.objects.exists()


def test_any_verification_deadline_when_no_mode_expires(staff_api, verified_course):
    sent = body({**VERIFIED, "expires": None}, verification_deadline="1915-05-07T00:00:00Z")

    response = put(staff_api, commerce_url(KEY), sent)

    assert response.status_code == 200
    assert response.json()["verification_deadline"] == "1915-05-07T00:00:00Z"
    track = CourseTrack.objects.get()
    assert (track.upgrade_deadline, track.upgrade_deadline_is_explicit) == (None, False)


def test_null_removes_and_absent_keeps_the_verification_deadline(staff_api, verified_course):
    course_verification_deadline_set(
        actor=None, course=verified_course, deadline=VERIFICATION_DEADLINE
    )

    kept = put(staff_api, commerce_url(KEY), body(VERIFIED))
    assert kept.json()["verification_deadline"] == "2027-07-31T00:00:00Z"

    removed = put(staff_api, commerce_url(KEY), body(VERIFIED, verification_deadline=None))
    assert removed.json()["verification_deadline"] is None
    assert not CourseVerificationDeadline.objects.exists()


def test_put_for_an_unknown_course_is_400(staff_api):
    key = "course-v1:No+Such+Course"

    response = put(staff_api, commerce_url(key), {**body(HONOR), "id": key})

    assert response.status_code == 400
    assert field_error(response, "id") == f"Course {key} does not exist."


def test_put_with_a_malformed_id_is_400(staff_api, course):
    response = put(staff_api, commerce_url(KEY), {**body(HONOR), "id": "not-a-key"})

    assert response.status_code == 400
    assert field_error(response, "id") == "not-a-key is not a valid course key."


def test_put_with_the_id_of_another_course_is_400(staff_api, course, other_course):
    response = put(staff_api, commerce_url(KEY), {**body(HONOR), "id": other_course.key})

    assert response.status_code == 400
    assert response.json()["error_code"] == "course_mismatch"
    assert not CourseTrack.objects.exists()


def test_put_needs_json(staff_api, course):
    response = staff_api.put(commerce_url(KEY), {"id": KEY}, format="multipart")

    assert response.status_code == 415


def test_put_mobile_skus_are_accepted_but_not_stored(staff_api, course):
    sent = body({**HONOR, "android_sku": "and-1", "ios_sku": "ios-1"})

    response = put(staff_api, commerce_url(KEY), sent)

    assert response.status_code == 201
    assert response.json()["modes"] == [HONOR]


def test_put_with_cents_and_default_currency(staff_api, course, paid_site):
    verified = {"name": "verified", "price": "49.99"}

    response = put(staff_api, commerce_url(KEY), body(verified))

    assert response.status_code == 201
    mode = response.json()["modes"][0]
    assert (mode["price"], mode["currency"], mode["sku"]) == (49.99, "usd", None)
