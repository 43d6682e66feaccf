"""``course_tracks_read_once``: a course's tracks read once per block (a request's cache)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.selectors import (
    course_default_track,
    course_track_find,
    course_tracks,
    course_tracks_read_once,
)
from enrollment_tracks.tracks.services import course_track_delete
from tests.factories import make_course, make_track

pytestmark = pytest.mark.django_db


def _track_reads(queries: CaptureQueriesContext) -> int:
    return sum('FROM "tracks_coursetrack"' in query["sql"] for query in queries.captured_queries)


def _slugs(course) -> list[str]:
    return [track.slug for track in course_tracks(course, learner_visible_only=False)]


def test_inside_the_block_each_course_is_read_once():
    course, other = make_course(), make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    make_track(other, "honor")

    with CaptureQueriesContext(connection) as queries, course_tracks_read_once():
        assert _slugs(course) == ["audit", "honor"]
        assert course_default_track(course).slug == "audit"
        assert course_track_find(course, "honor").slug == "honor"
        assert _slugs(other) == ["honor"]
        assert _slugs(course) == ["audit", "honor"]

    assert _track_reads(queries) == 2  # one per course


def test_outside_the_block_every_call_reads():
    course = make_course()
    make_track(course, "audit")

    with CaptureQueriesContext(connection) as queries:
        _slugs(course)
        _slugs(course)

    assert _track_reads(queries) == 2


def test_a_track_written_inside_the_block_is_seen():
    course = make_course()
    make_track(course, "audit")

    with course_tracks_read_once():
        assert _slugs(course) == ["audit"]
        make_track(course, "honor")
        assert _slugs(course) == ["audit", "honor"]
        course_track_delete(actor=None, track=CourseTrack.objects.get(course=course, slug="audit"))
        assert _slugs(course) == ["honor"]


def test_the_caller_cannot_change_what_the_block_holds():
    course = make_course()
    make_track(course, "audit")

    with course_tracks_read_once():
        course_tracks(course).clear()
        assert _slugs(course) == ["audit"]
