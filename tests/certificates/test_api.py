"""The certificate APIs over HTTP: who may use each endpoint, shapes, bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment_tracks.certificates.models import Certificate, GenerationJob, Grade
from tests.certificates.conftest import configure, enroll, grade
from tests.factories import UserFactory, make_course, make_course_team, make_track

ROLES = [
    "anonymous",
    "learner",
    "other_learner",
    "course_staff",
    "other_course_staff",
    "global_staff",
]


@pytest.fixture
def world(course, course_staff, other_course_staff, global_staff):
    configure(course)
    learner = enroll(course, "honor", username="owner")
    grade(course, (learner, "80"))
    other_learner = enroll(course, "honor", username="someone-else")
    return {
        "anonymous": None,
        "learner": learner,
        "other_learner": other_learner,
        "course_staff": course_staff,
        "other_course_staff": other_course_staff,
        "global_staff": global_staff,
        "certificate": Certificate.objects.get(user=learner),
    }


def v1(course, name, *args):
    return reverse(f"certificates-api:{name}", args=[course.key, *args])


TEAM_ENDPOINTS = {
    # name: (method, url builder, body, success status)
    "configuration-get": ("get", lambda c, w: v1(c, "configuration"), None, 200),
    "configuration-put": (
        "put",
        lambda c, w: v1(c, "configuration"),
        {"title": "T", "organisation_name": "O", "is_active": True},
        200,
    ),
    "passing-grade-get": ("get", lambda c, w: v1(c, "passing-grade"), None, 200),
    "passing-grade-put": ("put", lambda c, w: v1(c, "passing-grade"), {"passing_grade": 55}, 200),
    "grades-post": (
        "post",
        lambda c, w: v1(c, "grades"),
        {"grades": [{"user": "someone-else", "grade": 20}]},
        200,
    ),
    "lists-get": ("get", lambda c, w: v1(c, "lists"), None, 200),
    "lists-post": (
        "post",
        lambda c, w: v1(c, "lists"),
        {"user": "someone-else", "kind": "block", "reason": "r"},
        201,
    ),
    "jobs-get": ("get", lambda c, w: v1(c, "jobs"), None, 200),
    "jobs-post": ("post", lambda c, w: v1(c, "jobs"), None, 201),
    "certificates-get": ("get", lambda c, w: v1(c, "certificates"), None, 200),
    "revoke": (
        "post",
        lambda c, w: v1(c, "revoke", w["certificate"].verify_uuid),
        {"reason": "Misconduct"},
        200,
    ),
}


@pytest.mark.parametrize("endpoint", list(TEAM_ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_course_team_endpoints_permission_table(api, course, world, endpoint, role):
    method, url, body, success = TEAM_ENDPOINTS[endpoint]
    response = getattr(api(world[role]), method)(url(course, world), body, format="json")
    if role in {"course_staff", "global_staff"}:
        assert response.status_code == success, response.content
        return
    assert response.status_code == 403, response.content
    code = "not_authenticated" if role == "anonymous" else "not_course_staff"
    assert response.json()["error"]["code"] == code
    assert Certificate.objects.get().state == "issued"
    assert not GenerationJob.objects.exists()


def test_list_entry_delete_permissions(api, course, world):
    api(world["course_staff"]).post(
        v1(course, "lists"), {"user": "someone-else", "kind": "allow", "reason": "r"}, format="json"
    )
    url = v1(course, "list-entry", "someone-else")
    for role in ("anonymous", "learner", "other_course_staff"):
        assert api(world[role]).delete(url).status_code == 403
    assert api(world["global_staff"]).delete(url).status_code == 204
    assert api(world["global_staff"]).delete(url).status_code == 404


def v0_detail(username, course):
    return reverse("certificates-api:v0-detail", args=[username, course.key])


def v0_list(username):
    return reverse("certificates-api:v0-list", args=[username])


@pytest.mark.parametrize("role", ROLES)
def test_openedx_endpoints_are_for_the_learner_and_global_staff(api, course, world, role):
    detail = api(world[role]).get(v0_detail("owner", course))
    listing = api(world[role]).get(v0_list("owner"))
    if role in {"learner", "global_staff"}:
        assert (detail.status_code, listing.status_code) == (200, 200)
        assert detail.json()["uuid"] == world["certificate"].verify_uuid
        assert [row["uuid"] for row in listing.json()] == [world["certificate"].verify_uuid]
    else:
        assert (detail.status_code, listing.status_code) == (403, 403)
        assert "developer_message" in detail.json()


def test_openedx_detail_shape(api, course, world):
    body = api(world["learner"]).get(v0_detail("owner", course)).json()
    certificate = world["certificate"]
    assert body == {
        "username": "owner",
        "course_id": course.key,
        "course_display_name": course.title,
        "course_organization": course.org,
        "certificate_type": "honor",
        "created_date": body["created_date"],
        "modified_date": body["created_date"],
        "status": "downloadable",
        "is_passing": True,
        "download_url": f"http://testserver/certificates/{certificate.verify_uuid}/pdf/",
        "grade": "0.8",
        "uuid": certificate.verify_uuid,
    }


def test_openedx_detail_without_certificate_is_404(api, course, world):
    response = api(world["other_learner"]).get(v0_detail("someone-else", course))
    assert response.status_code == 404
    assert response.json()["error_code"] == "no_certificate_for_user"


def test_revoked_certificate_reads_unavailable(api, course, world):
    staff = api(world["course_staff"])
    url = v1(course, "revoke", world["certificate"].verify_uuid)
    assert staff.post(url, {"reason": "Misconduct"}, format="json").status_code == 200
    again = staff.post(url, {"reason": "Misconduct"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_revoked"
    body = api(world["learner"]).get(v0_detail("owner", course)).json()
    assert (body["status"], body["is_passing"], body["download_url"]) == (
        "unavailable",
        False,
        None,
    )


def test_a_certificate_of_another_course_is_404_on_private_endpoints(api, course, world):
    other = make_course()
    make_track(other, "honor")
    configure(other)
    stranger = enroll(other, "honor")
    grade(other, (stranger, "90"))
    foreign = Certificate.objects.get(user=stranger)
    response = api(world["course_staff"]).post(
        v1(course, "revoke", foreign.verify_uuid), {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "certificate_not_found"
    foreign.refresh_from_db()
    assert foreign.state == "issued"


def test_grades_api_gives_one_result_per_row(api, course, world):
    response = api(world["course_staff"]).post(
        v1(course, "grades"),
        {
            "grades": [
                {"user": "someone-else", "grade": 91},
                {"user": "someone-else", "grade": "92"},
                {"user": "owner", "grade": "101"},
                {"user": "owner", "grade": "-3"},
                {"user": "owner", "grade": "abc"},
                {"user": "ghost", "grade": "50"},
                {"user": UserFactory().username, "grade": "50"},
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["outcome"] for row in body["results"]] == [
        "created",
        "duplicate",
        "invalid_grade",
        "invalid_grade",
        "invalid_grade",
        "unknown_learner",
        "not_enrolled",
    ]
    assert body["errors"] == 6
    assert body["results"][0]["certificate_issued"] is True
    assert Grade.objects.count() == 2


def test_grades_api_refuses_a_body_without_rows(api, course, world):
    response = api(world["course_staff"]).post(v1(course, "grades"), {"grades": []}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "grades"


def test_configuration_api_refused_with_the_reason_when_no_track_grants(api, audit_only_course):
    staff = make_course_team(audit_only_course)
    client = api(staff)
    state = client.get(v1(audit_only_course, "configuration")).json()
    assert state["available"] is False
    assert "offers no track that grants a certificate" in state["unavailable_reason"]
    response = client.put(
        v1(audit_only_course, "configuration"),
        {"title": "T", "organisation_name": "O"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "certificates_unavailable"
    assert response.json()["error"]["message"] == state["unavailable_reason"]


def test_configuration_api_refuses_five_signatories(api, course, world):
    five = [{"name": f"N{i}", "title": "T"} for i in range(5)]
    response = api(world["course_staff"]).put(
        v1(course, "configuration"),
        {"title": "T", "organisation_name": "O", "signatories": five},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "signatories"


def test_passing_grade_api_refuses_out_of_range(api, course, world):
    response = api(world["course_staff"]).put(
        v1(course, "passing-grade"), {"passing_grade": "101"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"] | {"message": ""} == {
        "code": "invalid_grade",
        "field": "passing_grade",
        "message": "",
    }


def test_generation_api_refused_without_configuration_and_idempotent(api, course, course_staff):
    client = api(course_staff)
    refused = client.post(v1(course, "jobs"), format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "certificates_not_configured"
    configure(course)
    first = client.post(v1(course, "jobs"), format="json")
    second = client.post(v1(course, "jobs"), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    job = client.get(v1(course, "job", first.json()["id"])).json()
    assert (job["status"], job["done"]) == ("queued", 0)


def test_session_writes_need_the_csrf_token(course, world):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world["course_staff"])
    response = client.put(v1(course, "passing-grade"), {"passing_grade": 55}, format="json")
    assert response.status_code == 403


def test_schema_documents_the_certificate_endpoints(api):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/certificates/v0/certificates/{username}/courses/{course_key}/" in paths
    assert "/api/certificates/v0/certificates/{username}/" in paths
    for suffix in (
        "configuration/",
        "passing-grade/",
        "grades/",
        "lists/",
        "jobs/",
        "certificates/",
    ):
        operations = paths[f"/api/certificates/v1/courses/{{course_key}}/{suffix}"]
        for operation in operations.values():
            assert "**Permissions**: the course team of this course" in operation["description"]


def test_removing_an_unknown_learner_from_the_lists_is_404(api, course, world):
    response = api(world["course_staff"]).delete(v1(course, "list-entry", "ghost"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_learner"
