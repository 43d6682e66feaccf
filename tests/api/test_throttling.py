"""EnrollmentWriteThrottle: per user or client, writes only, 429 with Retry-After.

The enrollment endpoints that use it are tested in their own packages; here a view made for the
test (in the tests, never in src) carries the throttle, called through DRF's request factory.
"""

from __future__ import annotations

import pytest
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from enrollment_tracks.api.authentication import ClientAuth
from enrollment_tracks.api.callers import Via
from enrollment_tracks.api.permissions import ALL_SCOPES
from enrollment_tracks.api.throttling import EnrollmentWriteThrottle
from tests.factories import UserFactory


class WriteView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [EnrollmentWriteThrottle]

    def get(self, request: Request) -> Response:
        return Response({})

    def post(self, request: Request) -> Response:
        return Response({})


def call(method: str = "post", user=None, auth=None):
    request = getattr(APIRequestFactory(), method)("/enrollment")
    if user is not None or auth is not None:
        force_authenticate(request, user=user, token=auth)
    return WriteView.as_view()(request)


def client_auth(client_id: str) -> ClientAuth:
    return ClientAuth(client_id=client_id, scopes=ALL_SCOPES, via=Via.OAUTH2)


@pytest.fixture(autouse=True)
def _two_per_minute(settings):
    settings.ENROLLMENT_WRITE_RATE = "2/minute"


def test_writes_beyond_the_rate_are_429_with_retry_after(learner):
    assert [call(user=learner).status_code for _ in range(2)] == [200, 200]

    refused = call(user=learner)

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.data["error"]["code"] == "throttled"
    assert "Expected available in" in refused.data["error"]["message"]


def test_the_limit_is_per_user(learner):
    for _ in range(2):
        call(user=learner)

    assert call(user=learner).status_code == 429
    assert call(user=UserFactory()).status_code == 200


def test_a_client_is_counted_by_client_id_not_by_its_service_user(service_user):
    for _ in range(2):
        call(user=service_user, auth=client_auth("shop"))

    assert call(user=service_user, auth=client_auth("shop")).status_code == 429
    assert call(user=service_user, auth=client_auth("reports")).status_code == 200
    assert call(user=service_user).status_code == 200


def test_reads_are_never_counted(learner):
    assert {call("get", user=learner).status_code for _ in range(5)} == {200}
    assert call(user=learner).status_code == 200


def test_the_legacy_api_key_is_never_throttled():
    key = ClientAuth(client_id="", scopes=ALL_SCOPES, via=Via.API_KEY)

    assert {call(auth=key).status_code for _ in range(5)} == {200}


def test_the_rate_is_read_on_each_request(learner, settings):
    for _ in range(2):
        call(user=learner)
    settings.ENROLLMENT_WRITE_RATE = "5/minute"

    assert call(user=learner).status_code == 200
