"""GET /api/enrollment/v1/roles/: the requester's course roles (4.3)."""

from __future__ import annotations

from enrollment_tracks.courses.models import CourseAccessRole
from tests.api_enrollment.conftest import KEY, ROLES, anonymous_status


def test_a_learner_has_none(learner_api):
    response = learner_api.get(ROLES)

    assert (response.status_code, response.json()) == (200, {"roles": [], "is_staff": False})


def test_course_team_roles_optionally_of_one_course(api, learner, course, other_course):
    CourseAccessRole.objects.create(user=learner, course=course, role="staff")
    CourseAccessRole.objects.create(user=learner, course=course, role="instructor")
    CourseAccessRole.objects.create(user=learner, course=other_course, role="staff")
    client = api(learner)

    everything = client.get(ROLES).json()
    one_course = client.get(ROLES, {"course_id": KEY}).json()

    assert everything == {
        "roles": [
            {"org": "edX", "course_id": KEY, "role": "instructor"},
            {"org": "edX", "course_id": KEY, "role": "staff"},
            {"org": "edX", "course_id": other_course.key, "role": "staff"},
        ],
        "is_staff": False,
    }
    assert one_course["roles"] == everything["roles"][:2]
    assert client.get(ROLES, {"course_id": "course-v1:No+Such+Course"}).json()["roles"] == []


def test_global_staff(staff_api):
    assert staff_api.get(ROLES).json() == {"roles": [], "is_staff": True}


def test_needs_a_caller(api):
    assert api().get(ROLES).status_code == anonymous_status()
