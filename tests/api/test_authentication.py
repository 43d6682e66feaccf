"""The authentication classes: over HTTP on a course-team endpoint, and into ``api_caller``."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import AccessToken, Application
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from enrollment_tracks.api.authentication import (
    ApiKeyAuthentication,
    BearerTokenAuthentication,
    ClientAuth,
    CredentialRejected,
    JwtAuthentication,
)
from enrollment_tracks.api.callers import ApiCaller, Via, api_caller
from enrollment_tracks.api.models import ApplicationAccess
from enrollment_tracks.api.permissions import (
    ALL_SCOPES,
    COMMERCE_WRITE,
    ENROLLMENTS_READ,
    ENROLLMENTS_WRITE,
    has_scope,
    is_global_staff,
    is_privileged_for_enrollments,
    may_read_enrollments_of_others,
)
from enrollment_tracks.api.tokens import jwt_encode
from enrollment_tracks.courses.models import CourseAccessRole
from tests.api.conftest import get_jobs, token_of
from tests.factories import UserFactory

AUTHENTICATORS = [JwtAuthentication(), BearerTokenAuthentication(), ApiKeyAuthentication()]
HOUR = dt.timedelta(hours=1)


def caller_for(**headers: str) -> ApiCaller:
    """What a view would see: a request run through our authentication classes."""
    request = Request(APIRequestFactory().get("/", **headers), authenticators=AUTHENTICATORS)
    return api_caller(request)


def jwt_for(client, username: str, **overrides) -> str:
    now = dt.datetime.now(dt.UTC)
    fields = {
        "client_id": client.client_id,
        "username": username,
        "scopes": {ENROLLMENTS_READ},
        "issued_at": now,
        "expires_at": now + HOUR,
        **overrides,
    }
    return jwt_encode(**fields)


def error_of(response, status: int = 401) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def course_team_client(make_client, service_user, course):
    """A client whose service user is on the course team of ``course``."""
    CourseAccessRole.objects.create(user=service_user, course=course, role="staff")
    return make_client(scopes={ENROLLMENTS_READ})


# ------------------------------------------------------------------- over HTTP: the job list


@pytest.mark.parametrize(
    "header",
    ["Bearer {bearer}", "JWT {jwt}", "Bearer {jwt}", "jwt {jwt}", "bearer {bearer}"],
)
def test_a_client_reads_as_its_service_user(course_team_client, course, header):
    tokens = {
        "bearer": token_of(course_team_client),
        "jwt": token_of(course_team_client, token_type="jwt"),
    }

    response = get_jobs(course, HTTP_AUTHORIZATION=header.format(**tokens))

    assert response.status_code == 200, response.content


def test_a_client_whose_user_is_global_staff_reads_any_course(make_client, course):
    client = make_client(user=UserFactory(is_staff=True))

    response = get_jobs(course, HTTP_AUTHORIZATION=f"JWT {token_of(client, token_type='jwt')}")

    assert response.status_code == 200


def test_a_client_outside_the_course_team_is_403(client_credentials, course):
    response = get_jobs(course, HTTP_AUTHORIZATION=f"Bearer {token_of(client_credentials)}")

    assert error_of(response, 403)["code"] == "not_course_staff"


def test_without_credentials_the_session_rules_apply(course):
    # SessionAuthentication comes first and names no scheme, so DRF answers 403.
    assert get_jobs(course).status_code == 403
    assert get_jobs(course, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz").status_code == 403


def test_an_unknown_bearer_token_is_401(course):
    response = get_jobs(course, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert error_of(response) == {
        "code": "invalid_token",
        "message": "The access token is invalid.",
        "field": None,
    }
    assert response["WWW-Authenticate"] == (
        'Bearer realm="api", error="invalid_token", '
        'error_description="The access token is invalid."'
    )


def test_an_expired_bearer_token_is_401(course_team_client, course):
    token = token_of(course_team_client)
    AccessToken.objects.update(expires=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))

    response = get_jobs(course, HTTP_AUTHORIZATION=f"Bearer {token}")

    assert error_of(response)["message"].startswith("The access token has expired")


def test_an_expired_jwt_is_401(course_team_client, service_user, course):
    long_ago = dt.datetime.now(dt.UTC) - 2 * HOUR
    token = jwt_for(
        course_team_client, service_user.username, issued_at=long_ago, expires_at=long_ago + HOUR
    )

    for scheme in ("JWT", "Bearer"):
        response = get_jobs(course, HTTP_AUTHORIZATION=f"{scheme} {token}")
        assert error_of(response)["message"] == (
            "The JWT has expired; ask /oauth2/access_token for a new one."
        )
        assert response["WWW-Authenticate"].startswith(f'{scheme} realm="api", error=')


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("JWT_SECRET_KEY", "another-key-another-key-another-key", "wrongly signed"),
        ("JWT_ISSUER", "https://lms.example.org/oauth2", "not issued for this service"),
        ("JWT_AUDIENCE", "someone-else", "not issued for this service"),
    ],
)
def test_a_jwt_signed_elsewhere_is_401(
    course_team_client, service_user, course, settings, setting, value, message
):
    ours = getattr(settings, setting)
    setattr(settings, setting, value)
    foreign = jwt_for(course_team_client, service_user.username)
    setattr(settings, setting, ours)

    response = get_jobs(course, HTTP_AUTHORIZATION=f"JWT {foreign}")

    assert message in error_of(response)["message"]


def test_a_jwt_with_the_none_algorithm_is_401(course_team_client, service_user, course):
    claims = jwt.decode(
        jwt_for(course_team_client, service_user.username), options={"verify_signature": False}
    )
    unsigned = jwt.encode(claims, None, algorithm="none")
    assert jwt.get_unverified_header(unsigned)["alg"] == "none"

    response = get_jobs(course, HTTP_AUTHORIZATION=f"JWT {unsigned}")

    assert "wrongly signed" in error_of(response)["message"]


def test_a_jwt_outlives_neither_its_client_nor_its_user(course_team_client, service_user, course):
    token = token_of(course_team_client, token_type="jwt")
    header = {"HTTP_AUTHORIZATION": f"JWT {token}"}
    assert get_jobs(course, **header).status_code == 200

    service_user.is_active = False
    service_user.save()
    assert error_of(get_jobs(course, **header))["message"] == (
        "This client's service user is inactive."
    )

    Application.objects.all().delete()
    assert error_of(get_jobs(course, **header))["message"] == "The JWT's client no longer exists."


def test_a_jwt_naming_another_user_than_the_clients_is_401(
    course_team_client, service_user, course
):
    token = token_of(course_team_client, token_type="jwt")
    Application.objects.update(user=UserFactory())

    response = get_jobs(course, HTTP_AUTHORIZATION=f"JWT {token}")

    assert "no longer its client's" in error_of(response)["message"]


@pytest.mark.parametrize("header", ["Bearer", "JWT", "Bearer a b", "JWT   "])
def test_a_malformed_authorization_header_is_401(course, header):
    response = get_jobs(course, HTTP_AUTHORIZATION=header)

    assert error_of(response)["message"].startswith("Malformed Authorization header")


def test_a_garbled_jwt_is_401(course):
    response = get_jobs(course, HTTP_AUTHORIZATION="JWT a.b.c")

    assert error_of(response)["message"] == "The JWT is invalid (malformed or wrongly signed)."


def test_a_token_sent_in_the_query_string_is_ignored(course_team_client, course):
    token = token_of(course_team_client)
    url = f"/api/membership/v1/courses/{course.key}/jobs/?access_token={token}"

    assert APIClient().get(url).status_code == 403


# -------------------------------------------------------------------- into api_caller


def test_bearer_token_caller(make_client, service_user):
    client = make_client(scopes={ENROLLMENTS_READ, ENROLLMENTS_WRITE})

    caller = caller_for(HTTP_AUTHORIZATION=f"Bearer {token_of(client)}")

    assert caller == ApiCaller(
        user=service_user,
        via=Via.OAUTH2,
        client_id=client.client_id,
        scopes=frozenset({ENROLLMENTS_READ, ENROLLMENTS_WRITE}),
    )
    assert caller.is_client
    assert caller.label == f"oauth2:{client.client_id}"
    assert is_privileged_for_enrollments(caller)
    assert not has_scope(caller, COMMERCE_WRITE)
    assert not is_global_staff(caller)


def test_jwt_caller(make_client, service_user):
    client = make_client(scopes={ENROLLMENTS_READ, COMMERCE_WRITE})

    caller = caller_for(HTTP_AUTHORIZATION=f"JWT {token_of(client, token_type='jwt')}")

    assert caller.user == service_user
    assert caller.via is Via.JWT
    assert caller.client_id == client.client_id
    assert caller.scopes == {ENROLLMENTS_READ, COMMERCE_WRITE}
    assert may_read_enrollments_of_others(caller)
    assert not is_privileged_for_enrollments(caller)


def test_the_token_scope_narrows_the_callers_scopes(client_credentials):
    token = token_of(client_credentials, scope=ENROLLMENTS_READ)

    assert caller_for(HTTP_AUTHORIZATION=f"Bearer {token}").scopes == {ENROLLMENTS_READ}


@pytest.mark.parametrize("token_type", ["bearer", "jwt"])
def test_a_scope_taken_away_from_the_client_is_gone_at_once(client_credentials, token_type):
    token = token_of(client_credentials, token_type=token_type)
    scheme = "JWT" if token_type == "jwt" else "Bearer"
    assert caller_for(HTTP_AUTHORIZATION=f"{scheme} {token}").scopes == ALL_SCOPES

    ApplicationAccess.objects.update(scopes=ENROLLMENTS_READ)

    assert caller_for(HTTP_AUTHORIZATION=f"{scheme} {token}").scopes == {ENROLLMENTS_READ}


def test_request_auth_is_a_frozen_client_credential(client_credentials):
    request = Request(
        APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token_of(client_credentials)}"),
        authenticators=AUTHENTICATORS,
    )

    assert isinstance(request.auth, ClientAuth)
    with pytest.raises(AttributeError):
        request.auth.scopes = frozenset()  # type: ignore[misc]


def test_no_credentials_make_an_anonymous_caller():
    assert caller_for() == ApiCaller(user=None, via=Via.ANONYMOUS)


# -------------------------------------------------------------------- the legacy API key


def test_the_legacy_key_is_off_by_default(settings):
    assert settings.EDX_API_KEY == ""

    caller = caller_for(HTTP_X_EDX_API_KEY="anything")

    assert caller == ApiCaller(user=None, via=Via.ANONYMOUS)


def test_the_legacy_key_holds_every_scope_and_no_user_when_configured(settings):
    settings.EDX_API_KEY = "a-long-shared-server-key"

    caller = caller_for(HTTP_X_EDX_API_KEY="a-long-shared-server-key")

    assert caller == ApiCaller(user=None, via=Via.API_KEY, client_id="", scopes=ALL_SCOPES)
    assert caller.label == "api_key:legacy-key"
    assert is_privileged_for_enrollments(caller)
    assert has_scope(caller, COMMERCE_WRITE)


def test_a_wrong_legacy_key_is_401(settings, course):
    settings.EDX_API_KEY = "a-long-shared-server-key"

    with pytest.raises(CredentialRejected):
        caller_for(HTTP_X_EDX_API_KEY="a-wrong-key")
    response = get_jobs(course, HTTP_X_EDX_API_KEY="a-wrong-key")

    assert error_of(response) == {
        "code": "invalid_api_key",
        "message": "The X-Edx-Api-Key header does not match the configured key.",
        "field": None,
    }
    assert response["WWW-Authenticate"] == 'X-Edx-Api-Key realm="api"'


def test_the_legacy_key_is_no_person_for_a_course_team_endpoint(settings, course):
    settings.EDX_API_KEY = "a-long-shared-server-key"

    response = get_jobs(course, HTTP_X_EDX_API_KEY="a-long-shared-server-key")

    assert response.status_code == 403


@pytest.mark.parametrize("scheme", ["Bearer", "JWT"])
def test_authenticating_a_client_costs_one_query(client_credentials, scheme):
    token_type = "jwt" if scheme == "JWT" else "bearer"
    token = token_of(client_credentials, token_type=token_type)

    with CaptureQueriesContext(connection) as queries:
        caller = caller_for(HTTP_AUTHORIZATION=f"{scheme} {token}")

    assert caller.is_client
    assert len(queries) == 1


def test_a_client_without_scopes_is_still_its_service_user(make_client, service_user):
    client = make_client(scopes=set())

    caller = caller_for(HTTP_AUTHORIZATION=f"JWT {token_of(client, token_type='jwt')}")

    assert caller.user == service_user
    assert caller.scopes == frozenset()
    assert not may_read_enrollments_of_others(caller)
