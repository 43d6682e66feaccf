"""The tracks services behind the Commerce API: the verification deadline and the full replace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.tracks.models import CourseTrack, CourseVerificationDeadline
from enrollment_tracks.tracks.selectors import course_verification_deadline
from enrollment_tracks.tracks.services import (
    course_tracks_replace,
    course_verification_deadline_set,
)
from enrollment_tracks.tracks.types import TrackInput, TracksReplaced
from tests.api_modes.conftest import UPGRADE_DEADLINE
from tests.factories import make_track

LATER = UPGRADE_DEADLINE + dt.timedelta(days=30)
EARLIER = UPGRADE_DEADLINE - dt.timedelta(days=1)


@pytest.fixture
def verified(course, paid_site):
    return make_track(course, "verified", price=49, upgrade_deadline=UPGRADE_DEADLINE)


def test_set_replace_and_remove_the_verification_deadline(course, verified, global_staff):
    course_verification_deadline_set(actor=global_staff, course=course, deadline=LATER)
    row = CourseVerificationDeadline.objects.get(course=course)
    assert (row.deadline, row.deadline_is_explicit, row.updated_by) == (LATER, True, global_staff)

    course_verification_deadline_set(actor=None, course=course, deadline=UPGRADE_DEADLINE)
    assert course_verification_deadline(course) == UPGRADE_DEADLINE

    course_verification_deadline_set(actor=None, course=course, deadline=None)
    assert course_verification_deadline(course) is None


def test_verification_deadline_before_an_upgrade_deadline_is_refused(course, verified):
    with pytest.raises(ValidationFailed) as caught:
        course_verification_deadline_set(actor=None, course=course, deadline=EARLIER)

    assert caught.value.code == "verification_deadline_too_early"
    assert caught.value.field == "verification_deadline"
    assert caught.value.message == "Verification deadline must be after the upgrade deadline."
    assert not CourseVerificationDeadline.objects.exists()


def test_any_verification_deadline_without_upgrade_deadlines(course):
    course_verification_deadline_set(actor=None, course=course, deadline=EARLIER)

    assert course_verification_deadline(course) == EARLIER


def test_replace_reports_what_it_did(course, verified):
    make_track(course, "audit")
    make_track(course, "masters")

    result = course_tracks_replace(
        actor=None,
        course=course,
        tracks=[TrackInput(slug="verified", price=Decimal(59)), TrackInput(slug="honor")],
    )

    assert result == TracksReplaced(
        created=False, added=("honor",), updated=("verified",), removed=("audit",)
    )
    names = dict(CourseTrack.objects.values_list("slug", "display_name"))
    assert names == {
        "verified": "Verified Certificate",
        "honor": "Honor Certificate",
        "masters": "Master's",
    }


def test_replace_matches_the_same_currency_first(course, paid_site):
    make_track(course, "verified", price=49, currency="usd")
    eur = make_track(course, "verified", price=45, currency="eur")

    course_tracks_replace(
        actor=None,
        course=course,
        tracks=[TrackInput(slug="verified", price=Decimal(40), currency="EUR")],
    )

    assert list(CourseTrack.objects.values_list("pk", "price")) == [(eur.pk, Decimal(40))]


def test_replace_keeps_the_verification_deadline_unless_given(course, verified):
    course_verification_deadline_set(actor=None, course=course, deadline=LATER)
    tracks = [TrackInput(slug="verified", price=Decimal(49))]

    course_tracks_replace(actor=None, course=course, tracks=tracks)
    assert course_verification_deadline(course) == LATER

    course_tracks_replace(actor=None, course=course, tracks=tracks, verification_deadline=None)
    assert course_verification_deadline(course) is None


def test_replace_with_a_duplicate_names_its_position_and_changes_nothing(course, verified):
    tracks = [TrackInput(slug="honor"), TrackInput(slug="honor", currency="usd")]

    with pytest.raises(Conflict) as caught:
        course_tracks_replace(actor=None, course=course, tracks=tracks, verification_deadline=LATER)

    assert (caught.value.code, caught.value.params["index"]) == ("duplicate_track", 1)
    assert list(CourseTrack.objects.values_list("slug", flat=True)) == ["verified"]
    assert not CourseVerificationDeadline.objects.exists()


def test_replace_of_a_course_without_tracks_is_a_creation(course):
    result = course_tracks_replace(actor=None, course=course, tracks=[TrackInput(slug="audit")])

    assert result.created is True
