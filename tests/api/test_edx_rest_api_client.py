"""The real client every Open edX service uses, against a live server (DESIGN.md section 9).

``OAuthAPIClient`` posts client credentials with ``token_type=jwt`` to
``{base}/oauth2/access_token``, then sends ``Authorization: JWT <token>``.
"""

from __future__ import annotations

import gc

import jwt
import pytest
import requests
from edx_rest_api_client.client import OAuthAPIClient

from enrollment_tracks.api.permissions import ENROLLMENTS_READ
from tests.api.conftest import jobs_url
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    """The live server is on loopback: never send its requests through a proxy.

    Afterwards, collect the responses the client left in reference cycles (an HTTPError keeps
    its response): each holds a kept-alive socket, whose server thread would keep a database
    connection open and stop PostgreSQL from dropping the test database.
    """
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "*")
    yield
    gc.collect()


@pytest.mark.parametrize("base", ["", "/oauth2", "/oauth2/access_token"])
def test_oauth_api_client_reads_an_endpoint_as_its_service_user(
    live_server, make_client, course, base
):
    staff = UserFactory(username="enterprise_worker", is_staff=True)
    credentials = make_client(scopes={ENROLLMENTS_READ}, user=staff)
    client = OAuthAPIClient(
        live_server.url + base, credentials.client_id, credentials.client_secret
    )

    response = client.get(live_server.url + jobs_url(course), timeout=10)

    assert response.status_code == 200, response.text
    assert response.json()["results"] == []
    assert response.request.headers["Authorization"].startswith("JWT ")
    claims = jwt.decode(client.get_jwt_access_token(), options={"verify_signature": False})
    assert claims["preferred_username"] == "enterprise_worker"
    assert claims["client_id"] == credentials.client_id
    assert claims["scopes"] == [ENROLLMENTS_READ]


def test_oauth_api_client_with_a_wrong_secret_gets_401(live_server, make_client, course):
    credentials = make_client()
    client = OAuthAPIClient(live_server.url, credentials.client_id, "wrong-secret")

    with pytest.raises(requests.HTTPError) as raised:
        client.get(live_server.url + jobs_url(course), timeout=10)

    assert raised.value.response.status_code == 401
    assert raised.value.response.json()["error"] == "invalid_client"
