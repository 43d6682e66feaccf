"""Schemathesis over our OpenAPI schema (``/api/schema/``), in process against the WSGI app.

Every operation of the schema is called with generated requests, valid and invalid ones, as a
learner and as global staff, each signed in with a session and sending the CSRF token as a
browser does. Generated course keys, usernames, tracks, emails and job ids are mixed with the
values of the rows of `conftest.world`, so that requests reach the real code paths (enroll,
change a track, delete an invitation, confirm a job...) and not only the "no such course" ones.

Each answer must be documented: no server error, a status code the operation lists, its
content type, a body matching its schema. The run is bounded (``MAX_EXAMPLES`` per operation
and caller) and deterministic (derandomized, no example database), so CI sees the same
requests every time. The rows persist across one operation's examples (one test transaction),
as they would between a client's calls.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_schema.conftest import (
    COURSE_KEY,
    INVITED,
    LEARNER,
    OTHER_COURSE_KEY,
    OTHER_LEARNER,
    TRACKS,
    World,
    session_credentials,
)

MAX_EXAMPLES = 15

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260401,
        "generation": {
            "mode": "all",  # schema-valid requests, then invalid ones
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Every request carries the caller's session: no generated credentials.
            "with-security-parameters": False,
        },
        # The examples phase (the schema's own examples) and the fuzzing phase; the coverage
        # phase's hundreds of boundary cases per operation do not fit the time budget.
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)

#: What "no server error and no response outside the schema" means, check by check.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

#: Stands for the world's planned job, whose id the database chooses (see `_call`).
PLANNED_JOB = "00000000-0000-4000-8000-00000000a11c"

#: Field or parameter name -> values of real rows, mixed into the generated ones.
REAL_VALUES: dict[str, tuple[Any, ...]] = {
    "course_id": (COURSE_KEY, OTHER_COURSE_KEY),
    "course_key": (COURSE_KEY, OTHER_COURSE_KEY),
    "course_ids": (COURSE_KEY, "DemoX"),
    "id": (COURSE_KEY,),
    "username": (LEARNER, OTHER_LEARNER),
    "user": (LEARNER, OTHER_LEARNER),
    "email": (INVITED, f"{LEARNER}@example.org"),
    "identifiers": (LEARNER, f"{LEARNER},{OTHER_LEARNER}"),
    "mode_slug": TRACKS,
    "mode": TRACKS,
    "job_id": (PLANNED_JOB,),
}


def _real_or_generated(values: Any) -> st.SearchStrategy[Any]:
    """The generated object with each known field either kept or replaced by a real value."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries(
        {
            name: (
                st.sampled_from((value, *REAL_VALUES[name]))
                if name in REAL_VALUES
                else _real_or_generated(value)
            )
            for name, value in values.items()
        }
    )


@schema.hook("flatmap_path_parameters")
def _real_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:
    return _real_or_generated(path_parameters)


@schema.hook("flatmap_query")
def _real_query(context: Any, query: dict[str, Any]) -> Any:
    return _real_or_generated(query)


@schema.hook("flatmap_body")
def _real_body(context: Any, body: Any) -> Any:
    return _real_or_generated(body)


def _call(case: Case, world: World, credentials: tuple[dict[str, str], dict[str, str]]) -> None:
    if case.path_parameters and case.path_parameters.get("job_id") == PLANNED_JOB:
        case.path_parameters["job_id"] = str(world.job.pk)
    cookies, headers = credentials
    case.call_and_validate(cookies=cookies, headers=headers, checks=CHECKS)


@pytest.fixture
def learner_session(world: World) -> tuple[dict[str, str], dict[str, str]]:
    return session_credentials(world.learner)


@pytest.fixture
def staff_session(world: World) -> tuple[dict[str, str], dict[str, str]]:
    return session_credentials(world.staff)


#: The world is built once per operation and caller, not per example: on purpose
#: (``function_scoped_fixture``). Hypothesis's other health checks time the generation, which
#: a busy CI machine would make fail now and then: the run is bounded by ``MAX_EXAMPLES``.
QUIET = settings(suppress_health_check=list(HealthCheck))


@schema.parametrize()
@QUIET
def test_as_a_learner(case, world, in_process_requests, learner_session):
    _call(case, world, learner_session)


@schema.parametrize()
@QUIET
def test_as_global_staff(case, world, in_process_requests, staff_session):
    _call(case, world, staff_session)
