"""Which track new and re-activated enrollments land on (DESIGN.md section 2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from enrollment_tracks.core.clock import frozen_at
from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.tracks.catalog import track_spec
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory
from enrollment_tracks.tracks.selectors import (
    course_default_track,
    course_tracks,
    default_track_choose,
)
from enrollment_tracks.tracks.services import course_default_track_pin
from tests.factories import enable_paid_tracks, make_course, make_track

DEADLINE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _course_with(tracks):
    """A course offering ``tracks`` (slug, price); the site's modules switched on only if needed."""
    specs = [(track_spec(slug), price) for slug, price in tracks]
    if any(spec.is_paid or price or spec.needs_id_verification for spec, price in specs):
        enable_paid_tracks()
    course = make_course()
    for slug, price in tracks:
        make_track(course, slug, price=price)
    return course


@pytest.mark.parametrize(
    ("tracks", "expected"),
    [
        pytest.param([("audit", 0), ("honor", 0)], "audit", id="audit+honor: audit"),
        pytest.param([("honor", 0)], "honor", id="honor only: honor"),
        pytest.param([("honor", 0), ("verified", 49)], "honor", id="honor+verified: honor"),
        pytest.param([("audit", 0), ("verified", 49)], "audit", id="audit+verified: audit"),
        pytest.param([("verified", 49)], None, id="verified only: none"),
        pytest.param([("professional", 99)], None, id="professional only: none"),
        pytest.param([("no-id-professional", 10)], None, id="no-id-professional only: none"),
        pytest.param([("honor", 25)], None, id="paid (white-label) honor: none"),
        pytest.param([("masters", 0)], None, id="masters only: none"),
    ],
)
def test_default_track_truth_table(tracks, expected):
    course = _course_with(tracks)

    default = course_default_track(course)

    if expected is None:
        assert default is None
    else:
        assert default is not None
        assert default.slug == expected
        assert default.configured is True
    chosen = default_track_choose(course_tracks(course, learner_visible_only=False))
    assert (chosen.slug if chosen else None) == expected


def test_no_tracks_gives_the_virtual_free_audit_track():
    course = make_course()

    default = course_default_track(course)

    assert default is not None
    assert default.slug == "audit"
    assert default.configured is False
    assert default.track_id is None
    assert default.price.is_free
    assert default.price.currency == "usd"


def test_a_pinned_free_track_wins_over_the_rule():
    course = _course_with([("audit", 0), ("honor", 0)])
    honor = course.tracks.get(slug="honor")

    course_default_track_pin(actor=None, course=course, track=honor)

    default = course_default_track(course)
    assert default is not None
    assert default.slug == "honor"
    assert default.is_pinned_default is True


def test_an_expired_track_is_never_the_default():
    course = _course_with([("audit", 0), ("honor", 0)])
    tracks = course_tracks(course)
    aged = [replace(track, is_expired=track.slug == "audit") for track in tracks]

    chosen = default_track_choose(aged)

    assert chosen is not None
    assert chosen.slug == "honor"


def test_an_expired_pinned_track_is_ignored():
    course = _course_with([("audit", 0), ("honor", 0)])
    course_default_track_pin(actor=None, course=course, track=course.tracks.get(slug="honor"))
    aged = [replace(track, is_expired=track.is_pinned_default) for track in course_tracks(course)]

    chosen = default_track_choose(aged)

    assert chosen is not None
    assert chosen.slug == "audit"


def test_only_expired_paid_tracks_left_make_the_course_audit_again():
    """Open edX: when every configured mode has expired, the virtual audit mode is offered."""
    enable_paid_tracks()
    course = make_course()
    make_track(course, "verified", price=49, upgrade_deadline=DEADLINE)

    with frozen_at(DEADLINE - dt.timedelta(days=1)):
        assert course_default_track(course) is None

    with frozen_at(DEADLINE + dt.timedelta(seconds=1)):
        default = course_default_track(course)
        assert default is not None
        assert default.slug == "audit"
        assert default.configured is False
        assert [track.slug for track in course_tracks(course)] == ["audit"]


def test_an_expired_track_next_to_a_free_one_leaves_the_free_one_default():
    enable_paid_tracks()
    course = make_course()
    make_track(course, "honor")
    make_track(course, "verified", price=49, upgrade_deadline=DEADLINE)

    with frozen_at(DEADLINE + dt.timedelta(days=1)):
        default = course_default_track(course)
        offered = [track.slug for track in course_tracks(course)]

    assert default is not None
    assert default.slug == "honor"
    assert offered == ["honor"]


def test_default_track_choose_of_nothing_is_none():
    assert default_track_choose([]) is None


def _pin_refused(*, course, track, code, words):
    history_before = CourseTrackHistory.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        course_default_track_pin(actor=None, course=course, track=track)
    assert (caught.value.code, caught.value.field) == (code, "track")
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert CourseTrackHistory.objects.count() == history_before
    assert not CourseTrack.objects.filter(is_pinned_default=True).exists()


@pytest.mark.parametrize(
    ("slug", "price"), [("verified", 49), ("honor", 25)], ids=["verified", "paid honor"]
)
def test_only_a_free_track_can_be_pinned(slug, price):
    enable_paid_tracks()
    course = make_course()
    paid = make_track(course, slug, price=price)

    _pin_refused(
        course=course, track=paid, code="default_must_be_free", words=["Only a free track", "paid"]
    )


def test_a_track_of_another_course_cannot_be_pinned():
    course, other = make_course(), make_track(make_course(), "honor")

    _pin_refused(course=course, track=other, code="track_of_other_course", words=["another course"])


def test_pin_moves_and_unpin_returns_to_the_rule():
    course = make_course()
    audit, honor = make_track(course, "audit"), make_track(course, "honor")
    history_before = CourseTrackHistory.objects.count()

    course_default_track_pin(actor=None, course=course, track=honor)
    assert course_default_track(course).slug == "honor"

    course_default_track_pin(actor=None, course=course, track=audit)
    assert list(CourseTrack.objects.filter(is_pinned_default=True)) == [audit]

    course_default_track_pin(actor=None, course=course, track=None)
    assert not CourseTrack.objects.filter(is_pinned_default=True).exists()
    default = course_default_track(course)
    assert (default.slug, default.is_pinned_default) == ("audit", False)
    # pin honor (1), unpin honor + pin audit (2), unpin audit (1)
    assert CourseTrackHistory.objects.count() == history_before + 4
    latest = CourseTrackHistory.objects.first()
    assert (latest.slug, latest.snapshot["is_pinned_default"]) == ("audit", False)
