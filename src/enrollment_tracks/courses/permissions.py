"""Who may do what with a course. Every interface (page, API, admin) asks these predicates."""

from __future__ import annotations

from typing import Any

import rules

from enrollment_tracks.courses.models import CourseAccessRole, CourseRun


@rules.predicate
def is_global_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


@rules.predicate
def is_course_team(user: Any, course: CourseRun | None) -> bool:
    if course is None or not getattr(user, "is_authenticated", False):
        return False
    return CourseAccessRole.objects.filter(user_id=user.pk, course_id=course.pk).exists()


can_manage_course_rule = is_global_staff | is_course_team
rules.add_perm("courses.manage_course", can_manage_course_rule)


def can_manage_course(user: Any, course: CourseRun) -> bool:
    """Course team (instructor or staff) of this course, or global staff."""
    return bool(can_manage_course_rule.test(user, course))
