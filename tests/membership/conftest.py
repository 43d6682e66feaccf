from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import MembershipJob
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.services import JobRequest, job_confirm, job_plan
from tests.factories import UserFactory, make_course, make_course_team, make_track


@pytest.fixture
def course() -> CourseRun:
    """A course with no configured tracks: it offers the virtual audit track (the default)."""
    return make_course(title="Membership API course")


@pytest.fixture
def course_staff(course):
    return make_course_team(course, role="staff")


@pytest.fixture
def other_course_staff():
    return make_course_team(make_course(title="Another course"), role="instructor")


@pytest.fixture
def api():
    """``api(user)``: an APIClient signed in with a session (None: anonymous)."""

    def client_for(user=None, **options) -> APIClient:
        client = APIClient(**options)
        if user is not None:
            client.force_login(user)
        return client

    return client_for


def compat_url(course: CourseRun) -> str:
    return reverse("membership-api:students-update-enrollment", args=[course.key])


def jobs_url(course: CourseRun) -> str:
    return reverse("membership-api:job-list", args=[course.key])


def job_url(course: CourseRun, job_id, name: str = "job-detail") -> str:
    return reverse(f"membership-api:{name}", args=[course.key, job_id])


def confirmed_change_to_honor(learners: int, *, reason: str = "") -> MembershipJob:
    """A course offering audit and honor, ``learners`` new learners on audit in it, and a
    confirmed job moving them all to honor with notify on (queued, not run yet)."""
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    people = UserFactory.create_batch(learners)
    for person in people:
        enrollment_create(actor=staff, learner=person, course=course, track="audit")
    request = JobRequest(
        action="change_track",
        entries=[Entry(person.username) for person in people],
        to_track="honor",
        notify=True,
        reason=reason,
    )
    return job_confirm(actor=staff, job=job_plan(actor=staff, course=course, request=request))
