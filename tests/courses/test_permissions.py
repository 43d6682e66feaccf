"""Who may manage a course, as one table."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.courses.services import course_role_grant
from tests.factories import UserFactory, make_course


def _anonymous(course, other):
    return AnonymousUser()


def _learner(course, other):
    return UserFactory()


def _course_staff(course, other):
    user = UserFactory()
    course_role_grant(course=course, user=user, role="staff")
    return user


def _course_instructor(course, other):
    user = UserFactory()
    course_role_grant(course=course, user=user, role="instructor")
    return user


def _staff_of_another_course(course, other):
    user = UserFactory()
    course_role_grant(course=other, user=user, role="staff")
    return user


def _global_staff(course, other):
    return UserFactory(is_staff=True)


@pytest.mark.parametrize(
    ("make_user", "allowed"),
    [
        (_anonymous, False),
        (_learner, False),
        (_course_staff, True),
        (_course_instructor, True),
        (_staff_of_another_course, False),
        (_global_staff, True),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else str(value),
)
def test_can_manage_course(make_user, allowed):
    course, other = make_course(), make_course()
    user = make_user(course, other)

    assert can_manage_course(user, course) is allowed


def test_django_permission_uses_the_same_rule():
    course = make_course()
    staff, learner = _course_staff(course, None), UserFactory()

    assert staff.has_perm("courses.manage_course", course)
    assert not learner.has_perm("courses.manage_course", course)
