"""Writes to a course's tracks: errors by code, field and message; history; no partial writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from enrollment_tracks.tracks.selectors import course_tracks
from enrollment_tracks.tracks.services import (
    course_track_create,
    course_track_delete,
    course_track_update,
)
from enrollment_tracks.tracks.types import TrackInput
from tests.factories import UserFactory, enable_paid_tracks, make_course, make_track

COURSE_END = dt.datetime(2026, 12, 31, tzinfo=dt.UTC)
BEFORE_END = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
AFTER_END = dt.datetime(2027, 1, 15, tzinfo=dt.UTC)


@pytest.fixture
def course():
    return make_course(start=dt.datetime(2026, 1, 10, tzinfo=dt.UTC), end=COURSE_END)


def _counts():
    return CourseTrack.objects.count(), CourseTrackHistory.objects.count()


def _refused(error_class, call, *, code, field, words):
    """Run ``call``; check the error and that nothing was written."""
    before = _counts()
    with pytest.raises(error_class) as caught:
        call()
    assert caught.value.code == code
    assert caught.value.field == field
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert _counts() == before
    return caught.value


@pytest.mark.parametrize(
    ("data", "code", "field", "words"),
    [
        pytest.param(
            TrackInput(slug="gold"), "unknown_track", "slug", ["gold", "Known tracks"],
            id="unknown slug",
        ),
        pytest.param(
            TrackInput(slug="verified", price=Decimal("0.5")), "price_below_minimum", "price",
            ["Verified", "minimum price of 1"], id="verified below minimum",
        ),
        pytest.param(
            TrackInput(slug="no-id-professional"), "price_below_minimum", "price",
            ["No-Id-Professional", "above 0"], id="no-id-professional free",
        ),
        pytest.param(
            TrackInput(slug="honor", price=Decimal(-1)), "negative_price", "price",
            ["cannot be negative"], id="negative price",
        ),
        pytest.param(
            TrackInput(slug="verified", price=Decimal("1E+11")), "price_too_high", "price",
            ["cannot be more than"], id="price beyond what the column holds",
        ),
        pytest.param(
            TrackInput(slug="honor", price="ten dollars"), "invalid_price", "price",
            ["ten dollars", "not a number"], id="non-number price",
        ),
        pytest.param(
            TrackInput(slug="honor", currency="xyz"), "unknown_currency", "currency",
            ["xyz", "ISO 4217"], id="unknown currency",
        ),
        pytest.param(
            TrackInput(slug="honor", upgrade_deadline=BEFORE_END), "deadline_not_allowed",
            "upgrade_deadline", ["Honor cannot", "enrollment end"], id="deadline on honor",
        ),
        pytest.param(
            TrackInput(slug="professional", price=Decimal(99), upgrade_deadline=BEFORE_END),
            "deadline_not_allowed", "upgrade_deadline", ["Professional cannot"],
            id="deadline on professional",
        ),
        pytest.param(
            TrackInput(slug="verified", price=Decimal(49), upgrade_deadline_is_explicit=True),
            "deadline_required", "upgrade_deadline", ["upgrade deadline"],
            id="lock without deadline",
        ),
        pytest.param(
            TrackInput(slug="verified", price=Decimal(49), upgrade_deadline=AFTER_END),
            "deadline_after_course_end", "upgrade_deadline", ["course's end"],
            id="deadline after course end",
        ),
    ],
)  # fmt: skip
def test_create_refuses_invalid_input(course, data, code, field, words):
    enable_paid_tracks()

    _refused(
        ValidationFailed,
        lambda: course_track_create(actor=None, course=course, data=data),
        code=code,
        field=field,
        words=words,
    )


@pytest.mark.parametrize(
    ("switches", "data", "code", "field", "words"),
    [
        pytest.param(
            {}, TrackInput(slug="verified", price=Decimal(49)), "ecommerce_disabled", "slug",
            ["Verified is a paid track", "E-commerce enabled"], id="verified, e-commerce off",
        ),
        pytest.param(
            {"ecommerce_enabled": True}, TrackInput(slug="verified", price=Decimal(49)),
            "id_verification_disabled", "slug", ["Verified", "ID verification enabled"],
            id="verified, ID verification off",
        ),
        pytest.param(
            {}, TrackInput(slug="honor", price=Decimal(5)), "ecommerce_disabled", "price",
            ["Honor", "E-commerce enabled"], id="paid honor, e-commerce off",
        ),
    ],
)  # fmt: skip
def test_create_refuses_tracks_the_site_cannot_serve(course, switches, data, code, field, words):
    if switches:
        site_configuration_update(**switches)

    _refused(
        ValidationFailed,
        lambda: course_track_create(actor=None, course=course, data=data),
        code=code,
        field=field,
        words=words,
    )


def test_no_id_professional_needs_no_id_verification(course):
    site_configuration_update(ecommerce_enabled=True)

    track = make_track(course, "no-id-professional", price="0.01")

    assert track.price == Decimal("0.01")


def test_create_cleans_and_records_the_track(course):
    enable_paid_tracks()
    actor = UserFactory()

    track = course_track_create(
        actor=actor,
        course=course,
        data=TrackInput(
            slug="verified", price="49", currency=" EUR ", upgrade_deadline=BEFORE_END,
            description="  Get a certificate.  ",
        ),
    )  # fmt: skip

    track.refresh_from_db()
    assert (track.display_name, track.price, track.currency) == ("Verified", Decimal(49), "eur")
    assert track.description == "Get a certificate."
    (entry,) = CourseTrackHistory.objects.all()
    assert (entry.course_id, entry.slug, entry.change, entry.actor) == (
        course.pk, "verified", TrackChange.ADDED, actor,
    )  # fmt: skip
    assert entry.snapshot["currency"] == "eur"
    assert Decimal(entry.snapshot["price"]) == Decimal(49)
    assert entry.snapshot["upgrade_deadline"] == BEFORE_END.isoformat()


def test_duplicate_track_in_the_same_currency_is_a_conflict(course):
    make_track(course, "honor")

    error = _refused(
        Conflict,
        lambda: make_track(course, "honor", currency="USD"),
        code="duplicate_track",
        field="slug",
        words=["already offers Honor in USD"],
    )
    assert error.http_status == 409


def test_same_track_in_another_currency_is_allowed(course):
    make_track(course, "honor")
    make_track(course, "honor", currency="eur")

    assert sorted(course.tracks.values_list("currency", flat=True)) == ["eur", "usd"]


def test_update_cannot_change_the_slug(course):
    honor = make_track(course, "honor")

    _refused(
        ValidationFailed,
        lambda: course_track_update(actor=None, track=honor, data=TrackInput(slug="audit")),
        code="slug_immutable",
        field="slug",
        words=["cannot change"],
    )
    honor.refresh_from_db()
    assert honor.slug == "honor"


def test_update_into_another_rows_currency_is_a_conflict(course):
    make_track(course, "honor")
    euro = make_track(course, "honor", currency="eur")

    _refused(
        Conflict,
        lambda: course_track_update(actor=None, track=euro, data=TrackInput(slug="honor")),
        code="duplicate_track",
        field="slug",
        words=["Honor in USD"],
    )


def test_update_writes_history_and_keeps_its_own_currency(course):
    enable_paid_tracks()
    verified = make_track(course, "verified", price=49)

    updated = course_track_update(
        actor=None, track=verified, data=TrackInput(slug="verified", price=Decimal(59))
    )

    updated.refresh_from_db()
    assert updated.price == Decimal(59)
    changes = list(CourseTrackHistory.objects.order_by("id").values_list("change", flat=True))
    assert changes == [TrackChange.ADDED, TrackChange.UPDATED]


def test_update_making_a_free_track_paid_needs_ecommerce(course):
    honor = make_track(course, "honor")

    _refused(
        ValidationFailed,
        lambda: course_track_update(
            actor=None, track=honor, data=TrackInput(slug="honor", price=Decimal(5))
        ),
        code="ecommerce_disabled",
        field="price",
        words=["E-commerce enabled"],
    )
    honor.refresh_from_db()
    assert honor.price == 0


def test_switching_ecommerce_off_keeps_paid_tracks_shown_as_unavailable(course):
    enable_paid_tracks()
    verified = make_track(course, "verified", price=49)

    site_configuration_update(ecommerce_enabled=False)

    assert CourseTrack.objects.filter(pk=verified.pk).exists()
    (offered,) = course_tracks(course)
    assert offered.slug == "verified"
    assert offered.is_available is False
    assert "e-commerce is not enabled" in offered.unavailable_reason
    assert "E-commerce enabled" in offered.unavailable_reason

    updated = course_track_update(
        actor=None, track=verified, data=TrackInput(slug="verified", price=Decimal(39))
    )
    updated.refresh_from_db()
    assert updated.price == Decimal(39)


def test_switching_id_verification_off_still_allows_editing_verified(course):
    enable_paid_tracks()
    verified = make_track(course, "verified", price=49)
    site_configuration_update(id_verification_enabled=False)

    course_track_update(
        actor=None, track=verified, data=TrackInput(slug="verified", price=Decimal(49))
    )

    (offered,) = course_tracks(course)
    assert "ID verification enabled" in offered.unavailable_reason


def test_delete_writes_a_removed_history_row(course):
    actor = UserFactory()
    honor = make_track(course, "honor", description="Certificate on passing.")

    course_track_delete(actor=actor, track=honor)

    assert not CourseTrack.objects.filter(course=course).exists()
    latest = CourseTrackHistory.objects.first()
    assert (latest.slug, latest.change, latest.actor) == ("honor", TrackChange.REMOVED, actor)
    assert latest.snapshot["description"] == "Certificate on passing."
