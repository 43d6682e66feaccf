"""POST /oauth2/access_token: client credentials, scopes, bearer tokens and JWTs."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlencode

import jwt
import pytest
from django.conf import settings
from django.test import Client
from oauth2_provider.models import AccessToken, Application

from enrollment_tracks.api.models import ApplicationAccess
from enrollment_tracks.api.permissions import (
    ALL_SCOPES,
    COURSE_MODES_READ,
    ENROLLMENTS_READ,
    ENROLLMENTS_WRITE,
)
from tests.api.conftest import FORM, TOKEN_URL, get_jobs, request_token, token_of
from tests.factories import UserFactory


def test_client_credentials_answer_a_bearer_token(client_credentials):
    response = request_token(client_credentials)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == ALL_SCOPES
    assert response["Cache-Control"] == "no-store"
    token = AccessToken.objects.get()
    assert token.application.client_id == client_credentials.client_id
    assert token.user is None  # the client acts as the application's user, not the token's
    # Stored only as a hash (RFC 9700).
    assert token.token == ""
    assert token.token_checksum == hashlib.sha256(body["access_token"].encode()).hexdigest()


def test_client_may_authenticate_with_http_basic(client_credentials):
    pair = f"{client_credentials.client_id}:{client_credentials.client_secret}"
    response = Client().post(
        TOKEN_URL,
        urlencode({"grant_type": "client_credentials"}),
        content_type=FORM,
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(pair.encode()).decode(),
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "override",
    [{"client_secret": "not-the-secret"}, {"client_id": "no-such-client"}],
    ids=["wrong secret", "unknown client"],
)
def test_wrong_client_credentials_are_401(client_credentials, override):
    response = request_token(client_credentials, **override)

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token"])
def test_only_the_client_credentials_grant_is_served(client_credentials, grant_type):
    response = request_token(client_credentials, grant_type=grant_type)

    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_a_client_gets_only_the_scopes_granted_to_it(make_client):
    reader = make_client(scopes={ENROLLMENTS_READ, COURSE_MODES_READ})

    default = request_token(reader)
    narrowed = request_token(reader, scope=ENROLLMENTS_READ)
    beyond = request_token(reader, scope=f"{ENROLLMENTS_READ} {ENROLLMENTS_WRITE}")
    unknown = request_token(reader, scope="admin")

    assert set(default.json()["scope"].split()) == {ENROLLMENTS_READ, COURSE_MODES_READ}
    assert narrowed.json()["scope"] == ENROLLMENTS_READ
    for refused in (beyond, unknown):
        assert refused.status_code == 400
        assert refused.json()["error"] == "invalid_scope"


def test_a_client_without_granted_scopes_gets_a_token_without_scopes(make_client):
    client = make_client(scopes=set())

    response = request_token(client)

    assert response.status_code == 200
    assert response.json()["scope"] == ""
    assert request_token(client, scope=ENROLLMENTS_READ).status_code == 400


def test_an_application_registered_without_access_row_holds_no_scope(service_user):
    application = Application.objects.create(
        name="Bare",
        user=service_user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="bare-secret",
    )
    body = {
        "grant_type": "client_credentials",
        "client_id": application.client_id,
        "client_secret": "bare-secret",
    }

    response = Client().post(TOKEN_URL, urlencode(body), content_type=FORM)

    assert response.status_code == 200
    assert response.json()["scope"] == ""
    assert not ApplicationAccess.objects.exists()


def test_token_type_jwt_answers_a_signed_jwt_with_the_claims(client_credentials, service_user):
    response = request_token(client_credentials, token_type="jwt", scope=ENROLLMENTS_READ)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "JWT"
    assert body["expires_in"] == 3600
    assert body["scope"] == ENROLLMENTS_READ
    claims = jwt.decode(
        body["access_token"],
        settings.JWT_SECRET_KEY,
        algorithms=["HS256"],
        audience=settings.JWT_AUDIENCE,
        issuer=settings.JWT_ISSUER,
    )
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "HS256"
    assert claims["client_id"] == client_credentials.client_id
    assert claims["preferred_username"] == service_user.username
    assert claims["scopes"] == [ENROLLMENTS_READ]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["iss"] == settings.JWT_ISSUER == f"{settings.SITE_URL}/oauth2"
    # The access token issued on the way is not kept: only the JWT left the server.
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize("token_type", ["bearer", "jwt"])
@pytest.mark.parametrize("problem", ["no user", "inactive user"])
def test_a_client_without_an_active_service_user_gets_no_token(token_type, problem):
    user = None if problem == "no user" else UserFactory(is_active=False)
    application = Application.objects.create(
        name="Orphan",
        user=user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret="orphan-secret",
    )
    body = {
        "grant_type": "client_credentials",
        "client_id": application.client_id,
        "client_secret": "orphan-secret",
        "token_type": token_type,
    }

    response = Client().post(TOKEN_URL, urlencode(body), content_type=FORM)

    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "This client has no active service user.",
    }
    assert not AccessToken.objects.exists()


def test_the_endpoint_needs_no_csrf_token_and_refuses_get(client_credentials):
    csrf_checking = Client(enforce_csrf_checks=True)
    body = {
        "grant_type": "client_credentials",
        "client_id": client_credentials.client_id,
        "client_secret": client_credentials.client_secret,
    }

    assert csrf_checking.post(TOKEN_URL, urlencode(body), content_type=FORM).status_code == 200
    assert csrf_checking.get(TOKEN_URL).status_code == 405


def test_a_revoked_bearer_token_no_longer_authenticates(client_credentials, course):
    token = token_of(client_credentials)
    body = {
        "token": token,
        "client_id": client_credentials.client_id,
        "client_secret": client_credentials.client_secret,
    }

    revoked = Client().post("/oauth2/revoke_token/", urlencode(body), content_type=FORM)

    assert revoked.status_code == 200
    assert get_jobs(course, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
