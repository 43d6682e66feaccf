"""What a course offers, as learners and course teams read it."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.core.clock import frozen_at
from enrollment_tracks.tracks.selectors import (
    course_offers_certificates,
    course_track_find,
    course_tracks,
    course_tracks_configured,
)
from tests.factories import enable_paid_tracks, make_course, make_track

DEADLINE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("slugs", "offers"),
    [
        pytest.param([], False, id="nothing configured (virtual audit)"),
        pytest.param(["audit"], False, id="audit only"),
        pytest.param(["honor"], True, id="honor only"),
        pytest.param(["audit", "honor"], True, id="audit and honor"),
        pytest.param(["credit"], True, id="credit only (not learner-visible)"),
    ],
)
def test_course_offers_certificates(slugs, offers):
    enable_paid_tracks()
    course = make_course()
    for slug in slugs:
        make_track(course, slug)

    assert course_offers_certificates(course) is offers


def test_expired_verified_still_counts_for_certificates():
    enable_paid_tracks()
    course = make_course()
    make_track(course, "audit")
    make_track(course, "verified", price=49, upgrade_deadline=DEADLINE)

    with frozen_at(DEADLINE + dt.timedelta(days=1)):
        assert course_offers_certificates(course) is True


def test_tracks_are_listed_in_catalog_order():
    enable_paid_tracks()
    course = make_course()
    for slug in ("verified", "honor", "credit", "audit"):
        make_track(course, slug, price=49 if slug == "verified" else 0)

    assert [t.slug for t in course_tracks(course)] == ["audit", "honor", "verified"]
    assert [t.slug for t in course_tracks(course, learner_visible_only=False)] == [
        "audit", "credit", "honor", "verified",
    ]  # fmt: skip
    assert [t.slug for t in course_tracks_configured(course)] == [
        "audit", "credit", "honor", "verified",
    ]  # fmt: skip


def test_expired_tracks_are_left_out_unless_asked_for():
    enable_paid_tracks()
    course = make_course()
    make_track(course, "audit")
    make_track(course, "verified", price=49, upgrade_deadline=DEADLINE)

    with frozen_at(DEADLINE + dt.timedelta(minutes=1)):
        assert [t.slug for t in course_tracks(course)] == ["audit"]
        everything = course_tracks(course, include_expired=True)
        assert course_track_find(course, "verified") is None
        assert course_track_find(course, "verified", include_expired=True) is not None

    assert [(t.slug, t.is_expired) for t in everything] == [("audit", False), ("verified", True)]
    assert "deadline for this track has passed" in everything[1].unavailable_reason


def test_track_find_prefers_the_site_currency():
    course = make_course()
    make_track(course, "honor", currency="eur")
    make_track(course, "honor")

    found = course_track_find(course, "honor")

    assert found is not None
    assert found.price.currency == "usd"
    assert course_track_find(course, "audit") is None
