"""GET enrollment, enrollment/{course_id} and enrollment/{username},{course_id} (reference 4.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from tests.api_enrollment.conftest import (
    ENROLLMENT,
    KEY,
    anonymous_status,
    course_url,
    enrollment_url,
)
from tests.factories import make_course, make_course_team


def enrolled(learner, course, **fields) -> Enrollment:
    return enrollment_create(actor=learner, learner=learner, course=course, **fields).enrollment


# ------------------------------------------------------------------ enrollment (list)


def test_list_is_the_requesters_active_enrollments_oldest_first(
    learner_api, learner, course, other_course
):
    third = make_course(key="course-v1:edX+Left+2027", title="Left")
    enrolled(learner, other_course)
    enrolled(learner, course)
    enrolled(learner, third)
    enrollment_unenroll(actor=learner, learner=learner, course=third)
    Enrollment.objects.filter(course=course).update(created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    response = learner_api.get(ENROLLMENT)

    assert response.status_code == 200
    body = response.json()
    assert [item["course_details"]["course_id"] for item in body] == [KEY, other_course.key]
    assert body[0]["created"] == "2020-01-01T00:00:00Z"
    assert body[0]["course_details"] == learner_api.get(course_url(KEY)).json()
    assert set(body[0]) == {"created", "mode", "is_active", "user", "course_details"}


def test_list_of_another_user_for_a_learner_is_empty(learner_api, other_learner, course):
    enrolled(other_learner, course)

    response = learner_api.get(ENROLLMENT, {"user": other_learner.username})

    assert (response.status_code, response.json()) == (200, [])


def test_list_of_another_user_for_a_course_team_shows_their_courses_only(
    api, learner, course, other_course
):
    enrolled(learner, course)
    enrolled(learner, other_course)
    team_member = make_course_team(course, role="instructor")

    response = api(team_member).get(ENROLLMENT, {"user": learner.username})

    assert [item["course_details"]["course_id"] for item in response.json()] == [KEY]


def test_list_of_another_user_for_staff_is_complete(staff_api, learner, course, other_course):
    enrolled(learner, course)
    enrolled(learner, other_course)

    response = staff_api.get(ENROLLMENT, {"user": learner.username})

    assert len(response.json()) == 2


@pytest.mark.parametrize("username", ["nobody", ""])
def test_list_of_an_unknown_user_is_400(learner_api, username):
    response = learner_api.get(ENROLLMENT, {"user": username})

    assert response.status_code == 400
    assert response.json() == {
        "message": f"An error occurred while retrieving enrollments for user '{username}'"
    }


def test_list_needs_a_caller(api):
    response = api().get(ENROLLMENT)

    assert response.status_code == anonymous_status()
    assert set(response.json()) == {"detail"}


def test_get_sets_the_csrf_cookie_for_browser_clients(learner_api):
    response = learner_api.get(ENROLLMENT)

    assert "csrftoken" in response.cookies


# ------------------------------------------------------------------ one enrollment


def test_own_enrollment(learner_api, learner, course):
    row = enrolled(learner, course)

    response = learner_api.get(enrollment_url(KEY))

    assert response.status_code == 200
    assert response.json()["mode"] == "audit"
    assert response.json()["created"] == row.created.isoformat().replace("+00:00", "Z")
    assert response.json() == learner_api.get(enrollment_url(KEY, learner.username)).json()


def test_an_inactive_enrollment_is_answered(learner_api, learner, course):
    enrolled(learner, course)
    enrollment_unenroll(actor=learner, learner=learner, course=course)

    response = learner_api.get(enrollment_url(KEY))

    assert (response.status_code, response.json()["is_active"]) == (200, False)


@pytest.mark.parametrize("key", [KEY, "course-v1:No+Such+Course"])
def test_no_enrollment_is_200_with_an_empty_body(learner_api, course, key):
    response = learner_api.get(enrollment_url(key))

    assert (response.status_code, response.content) == (200, b"")


@pytest.mark.parametrize("exists", [True, False])
def test_another_users_enrollment_is_404_with_an_empty_body(
    learner_api, other_learner, course, exists
):
    if exists:
        enrolled(other_learner, course)

    response = learner_api.get(enrollment_url(KEY, other_learner.username))

    assert (response.status_code, response.content) == (404, b"")


def test_course_team_cannot_read_another_users_enrollment_either(api, learner, course):
    """Open edX answers it to global staff and the API key only."""
    enrolled(learner, course)
    team_member = make_course_team(course)

    response = api(team_member).get(enrollment_url(KEY, learner.username))

    assert (response.status_code, response.content) == (404, b"")


def test_staff_reads_anyones_enrollment(staff_api, learner, course):
    enrolled(learner, course)

    response = staff_api.get(enrollment_url(KEY, learner.username))

    assert (response.status_code, response.json()["user"]) == (200, learner.username)


def test_staff_asking_for_an_unknown_user_gets_200_empty(staff_api, course):
    response = staff_api.get(enrollment_url(KEY, "nobody"))

    assert (response.status_code, response.content) == (200, b"")


def test_a_username_with_dots_and_at_signs(api, course):
    from tests.factories import UserFactory

    person = UserFactory(username="a.b@c+d-e")
    enrolled(person, course)

    response = api(person).get(enrollment_url(KEY, person.username))

    assert (response.status_code, response.json()["user"]) == (200, "a.b@c+d-e")


def test_a_malformed_key_in_the_path_is_400(learner_api, learner):
    response = learner_api.get(enrollment_url("junk:a+b+c"))

    assert response.status_code == 400
    assert response.json() == {
        "message": f"An error occurred while retrieving enrollments for user "
        f"'{learner.username}' in course 'junk:a+b+c'"
    }


def test_a_path_that_is_no_course_key_is_404(learner_api):
    assert learner_api.get(f"{ENROLLMENT}/not-a-key").status_code == 404


def test_a_legacy_slash_key(learner_api, learner):
    legacy = make_course(key="edX/Legacy/2014", title="Legacy")
    enrolled(learner, legacy)

    response = learner_api.get(enrollment_url("edX/Legacy/2014"))

    assert (response.status_code, response.json()["course_details"]["course_id"]) == (
        200,
        "edX/Legacy/2014",
    )


def test_one_enrollment_needs_a_caller(api, course):
    response = api().get(enrollment_url(KEY))

    assert response.status_code == anonymous_status()
