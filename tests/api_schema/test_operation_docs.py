"""Every operation of the OpenAPI schema says what it does, who may call it, with examples."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from rest_framework.test import APIClient

from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN

METHODS = ("get", "put", "post", "delete", "patch")
PERMISSIONS = "**Permissions**"


def schema() -> dict[str, Any]:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations() -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in schema()["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def has_example(content: dict[str, Any]) -> bool:
    return any("examples" in media or "example" in media for media in content.values())


def test_every_operation_has_a_summary_a_description_and_its_permissions():
    missing = [
        label
        for label, operation in operations()
        if not operation.get("summary")
        or PERMISSIONS not in operation.get("description", "")
        or not operation["description"].split(PERMISSIONS)[1].strip(" :")
    ]

    assert missing == [], "No summary, description or **Permissions** paragraph: " + ", ".join(
        missing
    )


def test_every_request_body_and_success_body_has_an_example():
    missing = []
    for label, operation in operations():
        body = operation.get("requestBody", {}).get("content", {})
        if body and not has_example(body):
            missing.append(f"{label} (request)")
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if status.startswith("2") and content and not has_example(content):
                missing.append(f"{label} ({status})")

    assert missing == [], "No example: " + ", ".join(missing)


def test_course_keys_in_paths_carry_the_url_pattern():
    """Clients and schemathesis generate keys the URL accepts; other paths are Django's 404."""
    patterns = {
        (label, parameter["name"]): parameter["schema"].get("pattern")
        for label, operation in operations()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"] in {"course_id", "course_key"}
    }

    assert patterns
    assert set(patterns.values()) == {f"^{COURSE_KEY_URL_PATTERN}$"}


def json_schema(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's ``null`` type."""
    if isinstance(schema, list):
        return [json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {name: json_schema(value) for name, value in schema.items() if name != "nullable"}
    if not schema.get("nullable"):
        return converted
    if "type" in converted:
        return {**converted, "type": [converted["type"], "null"]}
    return {"anyOf": [converted, {"type": "null"}]}


def test_every_example_matches_its_schema():
    document = schema()
    components = json_schema(document["components"])
    wrong = []
    for label, operation in operations():
        bodies = [("request", operation.get("requestBody", {}).get("content", {}))]
        bodies += [
            (status, answer.get("content", {})) for status, answer in operation["responses"].items()
        ]
        for where, content in bodies:
            for media_type, media in content.items():
                if "json" not in media_type or "schema" not in media:
                    continue
                validator = Draft202012Validator(
                    {**json_schema(media["schema"]), "components": components}
                )
                for name, example in media.get("examples", {}).items():
                    for error in validator.iter_errors(example["value"]):
                        wrong.append(f"{label} {where} {name!r}: {error.message}")

    assert wrong == [], "\n".join(wrong)
