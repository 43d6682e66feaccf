"""The OpenAPI schema describes how clients authenticate, and the token endpoint."""

from __future__ import annotations

from rest_framework.test import APIClient

from enrollment_tracks.api.permissions import ALL_SCOPES


def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_authentication_scheme_is_described():
    schemes = schema()["components"]["securitySchemes"]

    assert set(schemes) == {"cookieAuth", "oauth2", "jwt", "edxApiKey"}
    flow = schemes["oauth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth2/access_token"
    assert set(flow["scopes"]) == ALL_SCOPES
    assert all(flow["scopes"].values())
    assert schemes["jwt"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["jwt"]["description"],
    }
    assert "Authorization: JWT <jwt>" in schemes["jwt"]["description"]
    assert schemes["edxApiKey"]["name"] == "X-Edx-Api-Key"


def test_authenticated_operations_accept_every_scheme():
    operation = schema()["paths"]["/api/membership/v1/courses/{course_key}/jobs/"]["get"]

    assert {name for requirement in operation["security"] for name in requirement} == {
        "cookieAuth",
        "oauth2",
        "jwt",
        "edxApiKey",
    }


def test_the_token_endpoint_is_documented():
    operation = schema()["paths"]["/oauth2/access_token"]["post"]

    assert operation["tags"] == ["oauth2"]
    assert "security" not in operation or operation["security"] in ([], [{}])
    form = operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form == {"$ref": "#/components/schemas/ClientCredentialsRequest"}
    assert set(operation["responses"]) == {"200", "400", "401"}
