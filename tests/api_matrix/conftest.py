"""The world every cell of the permission matrix runs in, and the callers who knock.

Every row's request is one that succeeds for an allowed caller in this world: the course offers
audit and verified (e-commerce on), the learner is enrolled, an email is invited, the course has
a planned and a failed membership job.

People sign in with a session and send the CSRF token, as a browser does. Service clients are
registered with `api.services.api_client_create`, acting as a plain service user (not global
staff, in no course team), and fetch a real token from ``/oauth2/access_token``: an opaque
bearer token, or a JWT as ``edx-rest-api-client`` asks for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import RequestFactory
from rest_framework.test import APIClient

from enrollment_tracks.accounts.models import User
from enrollment_tracks.api.services import api_client_create
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce.services import order_checkout
from enrollment_tracks.enrollments.services import enrollment_create, invitation_create
from enrollment_tracks.membership.models import JobStatus, MembershipJob
from enrollment_tracks.membership.parsing import parse_text
from enrollment_tracks.membership.services import JobRequest, job_plan
from enrollment_tracks.membership.state import job_transition
from enrollment_tracks.tracks import catalog
from tests.api.conftest import token_of
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)

KEY = "course-v1:edX+DemoX+Demo_Course"
OTHER_KEY = "course-v1:edX+DemoX+Other_Course"
LEARNER = "learner"
OTHER_LEARNER = "other_learner"
INVITED = "invited@example.org"

ANONYMOUS = "anonymous"
CLIENT_WITH_SCOPE = "client with scope"
CLIENT_WITHOUT_SCOPE = "client without scope"
#: The columns of the matrix, in order.
CALLERS = (
    ANONYMOUS,
    "learner",
    "another learner",
    "course team",
    "other course team",
    "global staff",
    CLIENT_WITH_SCOPE,
    CLIENT_WITHOUT_SCOPE,
)
CLIENTS = (CLIENT_WITH_SCOPE, CLIENT_WITHOUT_SCOPE)
#: How a service client authenticates: ``Authorization: Bearer <access token>`` or ``JWT <jwt>``.
TOKEN_KINDS = ("bearer", "jwt")


@dataclasses.dataclass(frozen=True)
class World:
    course: CourseRun
    people: dict[str, User | None]
    service_user: User
    planned_job: MembershipJob
    failed_job: MembershipJob
    order_number: str

    def placeholders(self) -> dict[str, str]:
        """What a row's path may name: ``{job}``, ``{failed_job}`` and ``{order}``."""
        return {
            "job": str(self.planned_job.pk),
            "failed_job": str(self.failed_job.pk),
            "order": self.order_number,
        }


def _failed_job(course: CourseRun, actor: User) -> MembershipJob:
    job = _planned_job(course, actor)
    for status in (JobStatus.QUEUED, JobStatus.RUNNING):
        job_transition(job, status)
    job.error = "RuntimeError: the worker stopped"
    job_transition(job, JobStatus.FAILED, fields=("error",))
    return job


def _planned_job(course: CourseRun, actor: User) -> MembershipJob:
    request = JobRequest(action="enroll", entries=parse_text("planned@example.org"))
    return job_plan(actor=actor, course=course, request=request)


@pytest.fixture
def world() -> World:
    enable_paid_tracks()
    course = make_course(key=KEY, title="Demonstration Course")
    make_track(course, catalog.AUDIT, display_name="Audit")
    make_track(course, catalog.VERIFIED, display_name="Verified Certificate", price=49)
    learner = UserFactory(username=LEARNER)
    enrollment_create(actor=learner, learner=learner, course=course)
    team = make_course_team(course, role="staff", username="team_member")
    invitation_create(actor=team, course=course, email=INVITED, auto_enroll=False)
    other_course = make_course(key=OTHER_KEY, title="Other Course")
    people: dict[str, User | None] = {
        ANONYMOUS: None,
        "learner": learner,
        "another learner": UserFactory(username=OTHER_LEARNER),
        "course team": team,
        "other course team": make_course_team(
            other_course, role="instructor", username="other_team_member"
        ),
        "global staff": UserFactory(username="global_staff", is_staff=True),
    }
    return World(
        course=course,
        people=people,
        service_user=UserFactory(username="ecommerce_worker"),
        planned_job=_planned_job(course, team),
        failed_job=_failed_job(course, team),
        # An unpaid order of a learner who is none of the callers (its owner may read it).
        order_number=order_checkout(
            learner=UserFactory(username="buyer"),
            course=course,
            track=catalog.VERIFIED,
            idempotency_key="matrix",
        ).order_number,
    )


def with_csrf(client: APIClient) -> APIClient:
    """The CSRF cookie and header a browser would send."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    client.credentials(HTTP_X_CSRFTOKEN=token)
    return client


@pytest.fixture
def client_for(world: World) -> Callable[..., APIClient]:
    """``client_for(caller, scopes=..., token_kind=...)``: an APIClient acting as ``caller``.

    A person gets a session (none for anonymous) and the CSRF token, with CSRF checks enforced.
    A service client is registered with exactly ``scopes`` and authenticates with a token from
    the token endpoint.
    """

    def make(
        caller: str, *, scopes: frozenset[str] = frozenset(), token_kind: str | None = None
    ) -> APIClient:
        if caller not in CLIENTS:
            client = APIClient(enforce_csrf_checks=True)
            person = world.people[caller]
            if person is not None:
                client.force_login(person)
            return with_csrf(client)
        registered = api_client_create(name=caller, scopes=scopes, user=world.service_user)
        client = APIClient()
        if token_kind == "jwt":
            token = token_of(registered, token_type="jwt")
            client.credentials(HTTP_AUTHORIZATION=f"JWT {token}")
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_of(registered)}")
        return client

    return make
