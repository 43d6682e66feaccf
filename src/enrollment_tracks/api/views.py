"""``POST /oauth2/access_token``: Open edX's token endpoint, on django-oauth-toolkit.

django-oauth-toolkit authenticates the client and checks the grant type (client credentials
only: ``OAUTH2_SERVER_CLASS`` is oauthlib's ``BackendApplicationServer``) and the scopes (the
client's ``ApplicationAccess``). With ``token_type=jwt`` (what ``edx-rest-api-client`` sends)
the access token it issued is exchanged for a signed JWT; otherwise it is answered as is.
Errors keep OAuth2's body, ``{"error": ..., "error_description": ...}``.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from oauth2_provider.views.mixins import OAuthLibMixin
from rest_framework import serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from enrollment_tracks.api import services

NO_STORE = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}


class ClientCredentialsSerializer(serializers.Serializer[Any]):
    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    client_id = serializers.CharField(
        help_text="Or send client id and secret with HTTP Basic authentication."
    )
    client_secret = serializers.CharField()
    scope = serializers.CharField(
        required=False,
        help_text="Space-separated scopes, a subset of the client's; default: all of them.",
    )
    token_type = serializers.ChoiceField(
        choices=["bearer", "jwt"],
        required=False,
        help_text="`jwt` answers a signed JWT (send it as `Authorization: JWT <token>`).",
    )


class AccessTokenSerializer(serializers.Serializer[Any]):
    access_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["Bearer", "JWT"])
    expires_in = serializers.IntegerField(help_text="Seconds.")
    scope = serializers.CharField(help_text="The granted scopes, space-separated.")


class OAuthErrorSerializer(serializers.Serializer[Any]):
    error = serializers.CharField(help_text="`invalid_client`, `invalid_scope`, ...")
    error_description = serializers.CharField(required=False)


def _json_response(body: str, status: int, headers: dict[str, str]) -> HttpResponse:
    response = HttpResponse(content=body, status=status)
    for name, value in {**headers, **NO_STORE}.items():
        response[name] = value
    return response


@method_decorator(sensitive_post_parameters("client_secret"), name="dispatch")
class AccessTokenView(OAuthLibMixin, APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    parser_classes = [FormParser]

    @extend_schema(
        operation_id="oauth2_access_token",
        tags=["oauth2"],
        summary="Get an access token (client credentials), as a bearer token or a JWT",
        description=(
            "Open edX's token endpoint (`edx-rest-api-client` posts here). A client acts as its "
            "service user, with the scopes granted to it. Tokens last `expires_in` seconds."
            "\n\n**Permissions**: anyone; the client authenticates with its id and secret (in "
            "the form, or with HTTP Basic authentication). Clients are registered by an "
            "administrator (admin, or `manage.py create_api_client`)."
        ),
        auth=[],
        request={"application/x-www-form-urlencoded": ClientCredentialsSerializer},
        responses={
            200: AccessTokenSerializer,
            400: OpenApiResponse(OAuthErrorSerializer, description="Bad grant or scope."),
            401: OpenApiResponse(OAuthErrorSerializer, description="Wrong client or secret."),
        },
        examples=[
            OpenApiExample(
                "Client credentials, for a JWT",
                request_only=True,
                media_type="application/x-www-form-urlencoded",
                value={
                    "grant_type": "client_credentials",
                    "client_id": "ecommerce-worker",
                    "client_secret": "s3cr3t",
                    "scope": "enrollments:read enrollments:write",
                    "token_type": "jwt",
                },
            ),
            OpenApiExample(
                "JWT",
                response_only=True,
                value={
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ...",
                    "token_type": "JWT",
                    "expires_in": 3600,
                    "scope": "enrollments:read enrollments:write",
                },
            ),
        ],
    )
    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        _, headers, body, status = self.create_token_response(django_request)
        if status != 200:
            return _json_response(body, status, headers)
        issued = json.loads(body)
        try:
            if django_request.POST.get("token_type", "").lower() == "jwt":
                jwt = services.access_token_exchange_for_jwt(
                    access_token=issued["access_token"], expires_in=int(issued["expires_in"])
                )
                return _json_response(json.dumps(jwt.as_response()), 200, headers)
            services.access_token_require_service_user(access_token=issued["access_token"])
        except services.NoServiceUser:
            error = {
                "error": "invalid_client",
                "error_description": "This client has no active service user.",
            }
            return _json_response(json.dumps(error), 401, {})
        return _json_response(body, status, headers)
