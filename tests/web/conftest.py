from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from enrollment_tracks.core import clock
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.courses.models import CourseRun
from tests.factories import enable_paid_tracks, make_course, make_track

END = dt.datetime(2027, 6, 30, tzinfo=dt.UTC)
#: Inside the demo's enrollment window and before every upgrade deadline used here.
NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_clock():
    """Pages show dates and deadlines: pin the domain's clock so they read the same every day."""
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def audit_only_course() -> CourseRun:
    """Like the demo's course A: no tracks configured, so it offers the virtual audit track."""
    return make_course(title="Tracks 101")


@pytest.fixture
def free_choice_course() -> CourseRun:
    """A course offering audit and honor, both free and self-selectable."""
    course = make_course(title="Audit or honor")
    make_track(course, "audit")
    make_track(course, "honor")
    return course


@pytest.fixture
def course_b() -> CourseRun:
    """Like the demo's course B: audit, honor and a verified track added while e-commerce was on,
    then e-commerce switched off (ID verification stays on)."""
    course = make_course(title="Tracks 201", end=END)
    make_track(course, "audit")
    make_track(course, "honor")
    enable_paid_tracks()
    make_track(course, "verified", price=49, upgrade_deadline=END - dt.timedelta(days=10))
    site_configuration_update(ecommerce_enabled=False)
    return course


@pytest.fixture
def login():
    """``login(user)``: a test client signed in as ``user``."""

    def signed_in(user, **client_options) -> Client:
        client = Client(**client_options)
        client.force_login(user)
        return client

    return signed_in
