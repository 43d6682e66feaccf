"""How the OpenAPI schema describes our authentication classes (drf-spectacular extensions).

Imported by ``ApiConfig.ready()``, which registers them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from oauth2_provider.settings import oauth2_settings

from enrollment_tracks.api.permissions import ALL_SCOPES

TOKEN_URL = "/oauth2/access_token"  # noqa: S105  (a path, not a secret)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "enrollment_tracks.api.authentication.BearerTokenAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scopes = {
            name: str(description)
            for name, description in oauth2_settings.SCOPES.items()
            if name in ALL_SCOPES
        }
        return {
            "type": "oauth2",
            "description": (
                "Service clients: client credentials posted to `/oauth2/access_token`, then "
                "`Authorization: Bearer <access_token>`. A client acts as its service user and "
                "holds the scopes granted to it."
            ),
            "flows": {"clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": scopes}},
        }


class JwtScheme(OpenApiAuthenticationExtension):
    target_class = "enrollment_tracks.api.authentication.JwtAuthentication"
    name = "jwt"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": (
                "A JWT from `/oauth2/access_token` with `token_type=jwt`, sent as "
                "`Authorization: JWT <jwt>` (Open edX's scheme, what edx-rest-api-client "
                "sends) or `Authorization: Bearer <jwt>`."
            ),
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "enrollment_tracks.api.authentication.ApiKeyAuthentication"
    name = "edxApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Edx-Api-Key",
            "description": (
                "Open edX's legacy server-to-server key, equal to the `EDX_API_KEY` setting; "
                "refused unless that setting is configured. It holds every scope."
            ),
        }
