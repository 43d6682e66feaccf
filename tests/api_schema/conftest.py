"""The data and callers of the schemathesis run: a real course with tracks and enrollments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from enrollment_tracks.accounts.models import User
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from enrollment_tracks.membership.models import MembershipJob
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.planning import JobRequest
from enrollment_tracks.membership.services import job_plan
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

#: The values the schema's examples use, so that the examples phase meets real rows too.
COURSE_KEY = "course-v1:edX+DemoX+Demo_Course"
OTHER_COURSE_KEY = "course-v1:edX+DemoX+Other_Course"
LEARNER = "alice"
OTHER_LEARNER = "bob"
INVITED = "carol@example.org"
TRACKS = ("audit", "honor", "verified")
COURSE_START = dt.datetime(2031, 1, 10, tzinfo=dt.UTC)
COURSE_END = dt.datetime(2031, 12, 31, tzinfo=dt.UTC)
UPGRADE_DEADLINE = dt.datetime(2031, 6, 30, 23, 59, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class World:
    course: CourseRun
    other_course: CourseRun
    learner: User
    other_learner: User
    staff: User
    job: MembershipJob


@pytest.fixture
def world(db: None) -> World:
    """Paid tracks switched on; a course offering audit, honor and verified with two learners
    enrolled and an invitation; a course offering nothing (the virtual audit track); a planned
    membership job."""
    enable_paid_tracks()
    course = make_course(
        key=COURSE_KEY, title="Demonstration Course", start=COURSE_START, end=COURSE_END
    )
    make_track(course, "audit")
    make_track(course, "honor")
    make_track(course, "verified", price=49, upgrade_deadline=UPGRADE_DEADLINE)
    other_course = make_course(key=OTHER_COURSE_KEY, title="Other Course", end=COURSE_END)
    team = make_course_team(course, role="instructor")
    learner = UserFactory(username=LEARNER, email="alice@example.org")
    other = UserFactory(username=OTHER_LEARNER, email="bob@example.org")
    staff = UserFactory(username="operator", is_staff=True, is_superuser=True)
    enrollment_create(actor=None, learner=learner, course=course, track="audit")
    enrollment_create(
        actor=None, learner=other, course=course, track="verified", reason="Order EDX-1234"
    )
    enrollment_create(actor=None, learner=learner, course=other_course)
    invitation_create(actor=None, course=course, email=INVITED, auto_enroll=True)
    job = job_plan(
        actor=team,
        course=course,
        request=JobRequest(action="change_track", entries=[Entry(LEARNER)], to_track="honor"),
    )
    return World(course, other_course, learner, other, staff, job)


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client does:
    the WSGI handler would otherwise close it at the end of each request, inside the test's
    transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def session_credentials(user: User) -> tuple[dict[str, str], dict[str, str]]:
    """(cookies, headers) of a signed-in browser: the session cookie and the CSRF pair."""
    client = Client()
    client.force_login(user)
    request = RequestFactory().get("/")
    token = get_token(request)
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"],
    }
    return cookies, {"X-CSRFToken": token}
