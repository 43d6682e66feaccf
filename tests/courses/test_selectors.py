"""Reading course runs by key."""

from __future__ import annotations

import pytest

from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.courses.selectors import course_get, courses_managed_by
from enrollment_tracks.courses.services import course_role_grant
from tests.factories import UserFactory, make_course


@pytest.mark.parametrize("raw", ["course-v1:bad", "", "library-v1:Org+Lib", "not a key"])
def test_course_get_of_a_malformed_key_is_not_found(raw):
    with pytest.raises(NotFound) as caught:
        course_get(raw)

    assert caught.value.code == "course_not_found"
    assert caught.value.field == "course_id"
    assert "is not a valid course run key" in caught.value.message
    assert caught.value.http_status == 404


def test_course_get_of_an_unknown_key_is_not_found():
    make_course(key="course-v1:DemoX+Tracks101+2026")

    with pytest.raises(NotFound) as caught:
        course_get("course-v1:DemoX+Tracks999+2026")

    assert caught.value.code == "course_not_found"
    assert "No course run with the key" in caught.value.message
    assert "course-v1:DemoX+Tracks999+2026" in caught.value.message


@pytest.mark.parametrize("key", ["course-v1:DemoX+Tracks101+2026", "DemoX/Tracks101/2026"])
def test_course_get_finds_the_run(key):
    course = make_course(key=key)

    assert course_get(f" {key} ") == course


def test_courses_managed_by():
    mine, theirs = make_course(), make_course()
    member, operator = UserFactory(), UserFactory(is_staff=True)
    course_role_grant(course=mine, user=member, role="staff")
    course_role_grant(course=mine, user=member, role="instructor")

    assert list(courses_managed_by(member)) == [mine]
    assert set(courses_managed_by(operator)) == {mine, theirs}
    assert list(courses_managed_by(UserFactory())) == []
