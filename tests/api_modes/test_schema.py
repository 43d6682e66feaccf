"""Every Course Modes and Commerce endpoint is in the OpenAPI schema, described and tagged."""

from __future__ import annotations

from django.core.management import call_command
from rest_framework.test import APIClient

PATHS = {
    "/api/course_modes/v1/courses/{course_id}/": {"get", "post"},
    "/api/course_modes/v1/courses/{course_id}/{mode_slug}": {"get", "patch", "delete"},
    "/api/commerce/v1/courses/": {"get"},
    "/api/commerce/v1/courses/{course_id}/": {"get", "put"},
}


def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_documented_with_permissions_and_errors():
    paths = schema()["paths"]

    for path, methods in PATHS.items():
        assert set(paths[path]) == methods, path
        for method, operation in paths[path].items():
            assert operation["tags"] == ["openedx-compatible"], (path, method)
            assert "**Permissions**" in operation["description"], (path, method)
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
            assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/OpenEdxCompatError"
            }


def test_patch_takes_merge_patch_and_answers_204():
    operation = schema()["paths"]["/api/course_modes/v1/courses/{course_id}/{mode_slug}"]["patch"]

    assert list(operation["requestBody"]["content"]) == ["application/merge-patch+json"]
    assert {"204", "400", "404", "415"} <= set(operation["responses"])


def test_bodies_carry_examples_and_open_edx_field_names():
    document = schema()
    components = document["components"]["schemas"]

    assert list(components["CourseModesMode"]["properties"]) == [
        "course_id",
        "mode_slug",
        "mode_display_name",
        "min_price",
        "currency",
        "expiration_datetime",
        "expiration_datetime_is_explicit",
        "description",
        "sku",
        "bulk_sku",
    ]
    assert list(components["CommerceMode"]["properties"]) == [
        "name",
        "currency",
        "price",
        "sku",
        "bulk_sku",
        "expires",
        "android_sku",
        "ios_sku",
    ]
    put = document["paths"]["/api/commerce/v1/courses/{course_id}/"]["put"]
    assert put["requestBody"]["content"]["application/json"]["examples"]
    assert {"200", "201", "400"} <= set(put["responses"])


def test_spectacular_validates_without_warnings(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
