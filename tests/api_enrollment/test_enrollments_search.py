"""GET /api/enrollment/v1/enrollments: operators' search, filters and cursor pages (4.3)."""

from __future__ import annotations

import datetime as dt

import pytest

from enrollment_tracks.enrollments import apis_staff
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from tests.api_enrollment.conftest import ENROLLMENTS, KEY, anonymous_status
from tests.factories import UserFactory, make_course

NOT_PERMITTED = "You do not have permission to perform this action."


def enrolled(learner, course, at: dt.datetime | None = None) -> Enrollment:
    row = enrollment_create(actor=learner, learner=learner, course=course).enrollment
    if at is not None:
        Enrollment.objects.filter(pk=row.pk).update(created=at)
        row.refresh_from_db()
    return row


def day(n: int) -> dt.datetime:
    return dt.datetime(2026, 1, n, tzinfo=dt.UTC)


def courses_and_users(rows) -> list[tuple[str, str]]:
    return [(row["course_id"], row["user"]) for row in rows]


def test_results_newest_first_with_inactive_ones_field_by_field(
    staff_api, learner, other_learner, course, other_course
):
    enrolled(learner, course, day(1))
    enrolled(other_learner, course, day(3))
    enrolled(learner, other_course, day(2))
    enrollment_unenroll(actor=learner, learner=learner, course=other_course)

    response = staff_api.get(ENROLLMENTS)

    assert response.status_code == 200
    assert response.json() == {
        "next": None,
        "previous": None,
        "results": [
            {
                "created": "2026-01-03T00:00:00Z",
                "mode": "audit",
                "is_active": True,
                "user": other_learner.username,
                "course_id": KEY,
            },
            {
                "created": "2026-01-02T00:00:00Z",
                "mode": "audit",
                "is_active": False,
                "user": learner.username,
                "course_id": other_course.key,
            },
            {
                "created": "2026-01-01T00:00:00Z",
                "mode": "audit",
                "is_active": True,
                "user": learner.username,
                "course_id": KEY,
            },
        ],
    }


def test_the_trailing_slash_is_optional(staff_api, course):
    assert staff_api.get(ENROLLMENTS).status_code == 200
    assert staff_api.get(ENROLLMENTS + "/").status_code == 200


@pytest.fixture
def population(learner, other_learner, course, other_course):
    third = make_course(key="course-v1:Acme+CS101+2027", title="CS101")
    enrolled(learner, course, day(1))
    enrolled(other_learner, course, day(2))
    enrolled(learner, other_course, day(3))
    enrolled(other_learner, third, day(4))
    return third


def test_filters(staff_api, learner, other_learner, course, other_course, population):
    def search(**query):
        return courses_and_users(staff_api.get(ENROLLMENTS, query).json()["results"])

    assert search(course_id=KEY) == [(KEY, other_learner.username), (KEY, learner.username)]
    assert search(username=learner.username) == [
        (other_course.key, learner.username),
        (KEY, learner.username),
    ]
    assert search(username=f"{learner.username},{other_learner.username}", course_id=KEY) == [
        (KEY, other_learner.username),
        (KEY, learner.username),
    ]
    assert search(email=other_learner.email) == [
        (population.key, other_learner.username),
        (KEY, other_learner.username),
    ]
    # course_ids match keys containing a value, case-insensitively (a course's key for its runs)
    assert search(course_ids="acme+cs101,Other_Course") == [
        (population.key, other_learner.username),
        (other_course.key, learner.username),
    ]
    assert search(course_id="course-v1:No+Such+Course") == []
    assert search(username="nobody") == []


@pytest.mark.parametrize(
    ("field", "label"),
    [("username", "usernames"), ("course_ids", "course_ids"), ("email", "emails")],
)
def test_more_than_100_values_is_400(staff_api, field, label):
    values = ",".join(f"value{n}" for n in range(101))

    response = staff_api.get(ENROLLMENTS, {field: values})

    message = f"Too many {label} in a single request - 101. A maximum of 100 is allowed"
    assert response.status_code == 400
    assert response.json()["field_errors"] == {field: {"developer_message": message}}


@pytest.mark.parametrize("field", ["username", "course_ids", "email"])
def test_100_values_are_fine(staff_api, field):
    values = ",".join(f"value{n}" for n in range(100))

    assert staff_api.get(ENROLLMENTS, {field: values}).status_code == 200


def test_an_invalid_course_id_is_400(staff_api):
    response = staff_api.get(ENROLLMENTS, {"course_id": "not a key"})

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "course_id": {"developer_message": "'not a key' is not a valid course id."}
    }


def test_an_invalid_username_is_400(staff_api):
    response = staff_api.get(ENROLLMENTS, {"username": "ok,not valid!"})

    assert response.status_code == 400
    assert set(response.json()["field_errors"]) == {"username"}


def test_cursor_pages(staff_api, course, monkeypatch):
    assert apis_staff.EnrollmentsPagination.page_size == 100
    monkeypatch.setattr(apis_staff.EnrollmentsPagination, "page_size", 2)
    people = [UserFactory() for _ in range(3)]
    for n, person in enumerate(people, start=1):
        enrolled(person, course, day(n))

    first = staff_api.get(ENROLLMENTS).json()
    second = staff_api.get(first["next"]).json()
    back = staff_api.get(second["previous"]).json()

    assert [row["user"] for row in first["results"]] == [people[2].username, people[1].username]
    assert "cursor=" in first["next"]
    assert [row["user"] for row in second["results"]] == [people[0].username]
    assert second["next"] is None
    assert back["results"] == first["results"]


def test_enrollments_created_at_the_same_moment_are_each_listed_once(
    staff_api, course, monkeypatch
):
    monkeypatch.setattr(apis_staff.EnrollmentsPagination, "page_size", 2)
    people = [UserFactory() for _ in range(5)]
    for person in people:
        enrolled(person, course, day(1))

    seen, url = [], ENROLLMENTS
    while url:
        page = staff_api.get(url).json()
        seen += [row["user"] for row in page["results"]]
        url = page["next"]

    assert sorted(seen) == sorted(person.username for person in people)


def test_an_invalid_cursor_is_404(staff_api):
    response = staff_api.get(ENROLLMENTS, {"cursor": "garbage"})

    assert response.status_code == 404
    assert response.json()["developer_message"] == "Invalid cursor"


def test_only_operators(api, learner, course):
    from tests.factories import make_course_team

    team_member = make_course_team(course)

    anonymous = api().get(ENROLLMENTS)
    refused = [api(user).get(ENROLLMENTS) for user in (learner, team_member)]

    assert anonymous.status_code == anonymous_status()
    for response in refused:
        assert response.status_code == 403
        assert response.json()["developer_message"] == NOT_PERMITTED
