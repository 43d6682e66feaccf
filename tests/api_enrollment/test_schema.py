"""Every Enrollment API v1 endpoint is in the OpenAPI schema, tagged, described and exemplified."""

from __future__ import annotations

from rest_framework.test import APIClient

PATHS = {
    "/api/enrollment/v1/enrollment": {"get", "post"},
    "/api/enrollment/v1/enrollment/{course_id}": {"get"},
    "/api/enrollment/v1/enrollment/{username},{course_id}": {"get"},
    "/api/enrollment/v1/enrollments/": {"get"},
    "/api/enrollment/v1/course/{course_id}": {"get"},
    "/api/enrollment/v1/roles/": {"get"},
    "/api/enrollment/v1/enrollment_allowed/": {"get", "post", "delete"},
}


def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_is_documented_with_its_permissions():
    paths = schema()["paths"]

    for path, methods in PATHS.items():
        assert path in paths, path
        assert set(paths[path]) == methods, path
        for operation in paths[path].values():
            assert operation["tags"] == ["openedx-compatible"]
            assert "**Permissions**" in operation["description"]
            assert set(operation["responses"]) & {"200", "201", "204"}


def test_the_post_documents_its_body_answers_and_examples():
    post = schema()["paths"]["/api/enrollment/v1/enrollment"]["post"]

    body = post["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/EnrollmentV1PostRequest"}
    assert len(body["examples"]) >= 3
    assert set(post["responses"]) >= {"200", "400", "403", "404", "406", "415"}
    assert "content" not in post["responses"]["404"]  # Open edX's empty body


def test_the_enrollment_and_its_modes_are_components():
    components = schema()["components"]["schemas"]

    assert set(components["EnrollmentV1Enrollment"]["properties"]) == {
        "created",
        "mode",
        "is_active",
        "course_details",
        "user",
    }
    assert set(components["EnrollmentCourseMode"]["properties"]) == {
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "bulk_sku",
    }
    assert components["EnrollmentCourseMode"]["properties"]["suggested_prices"]["type"] == "string"


def test_the_course_details_need_no_authentication():
    operation = schema()["paths"]["/api/enrollment/v1/course/{course_id}"]["get"]

    assert operation["security"] == [{}]


def test_the_search_documents_its_cursor_page():
    operation = schema()["paths"]["/api/enrollment/v1/enrollments/"]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]

    assert page == {"$ref": "#/components/schemas/PaginatedEnrollmentListItemList"}


def test_answers_that_may_have_an_empty_body_document_no_content():
    """Open edX answers "no enrollment" with 200 and an empty body: OpenAPI cannot type a body
    that may be absent, so the 200 names the shape in words (and schema checkers accept both)."""
    paths = schema()["paths"]
    for path in (
        "/api/enrollment/v1/enrollment/{course_id}",
        "/api/enrollment/v1/enrollment/{username},{course_id}",
    ):
        ok = paths[path]["get"]["responses"]["200"]
        assert "content" not in ok
        assert "EnrollmentV1Enrollment" in ok["description"]
