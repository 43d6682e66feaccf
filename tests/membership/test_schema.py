"""The OpenAPI schema and its docs page: public, valid OpenAPI 3, every membership endpoint."""

from __future__ import annotations

from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

PATHS = {
    "/courses/{course_key}/instructor/api/students_update_enrollment": {"post"},
    "/api/membership/v1/courses/{course_key}/jobs/": {"get", "post"},
    "/api/membership/v1/courses/{course_key}/jobs/{job_id}/": {"get"},
    "/api/membership/v1/courses/{course_key}/jobs/{job_id}/confirm/": {"post"},
    "/api/membership/v1/courses/{course_key}/jobs/{job_id}/cancel/": {"post"},
    "/api/membership/v1/courses/{course_key}/jobs/{job_id}/retry/": {"post"},
    "/api/membership/v1/courses/{course_key}/jobs/{job_id}/results/": {"get"},
}


def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_public_and_valid_openapi_3():
    response = APIClient().get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    document = schema()
    assert document["openapi"].startswith("3.")
    validate_schema(document)


def test_schema_documents_every_membership_endpoint():
    paths = schema()["paths"]

    for path, methods in PATHS.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, path
    compat = paths["/courses/{course_key}/instructor/api/students_update_enrollment"]["post"]
    assert compat["tags"] == ["openedx-compatible"]
    assert set(compat["requestBody"]["content"]) >= {
        "application/json",
        "application/x-www-form-urlencoded",
    }
    for path in list(PATHS)[1:]:
        for operation in paths[path].values():
            assert operation["tags"] == ["membership"]
            assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }


def test_error_bodies_are_documented():
    components = schema()["components"]["schemas"]

    assert components["Error"]["properties"]["error"] == {
        "$ref": "#/components/schemas/ErrorDetail"
    }
    assert set(components["ErrorDetail"]["required"]) == {"code", "message", "field"}
    assert set(components["OpenEdxError"]["required"]) == {"developer_message", "error_code"}


def test_docs_page_is_public():
    response = APIClient().get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    assert b"/api/schema/" in response.content


def test_spectacular_command_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3.")
