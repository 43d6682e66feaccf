from __future__ import annotations

from django.db.models import QuerySet

from enrollment_tracks.core.errors import NotFound, ValidationFailed
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun


def course_get(raw_key: str) -> CourseRun:
    """The course run with this key; ``NotFound`` for a malformed or unknown key."""
    try:
        key = course_key_parse(raw_key)
    except ValidationFailed as error:
        raise NotFound(error.message, code="course_not_found", field="course_id") from None
    try:
        return CourseRun.objects.get(key=str(key))
    except CourseRun.DoesNotExist:
        raise NotFound(
            f"No course run with the key “{key}”.", code="course_not_found", field="course_id"
        ) from None


def course_list() -> QuerySet[CourseRun]:
    return CourseRun.objects.order_by("key")


def course_team_user_ids(course: CourseRun) -> QuerySet[CourseAccessRole, int]:
    return CourseAccessRole.objects.filter(course=course).values_list("user_id", flat=True)


def course_roles_for_user(user_id: int) -> QuerySet[CourseAccessRole]:
    return CourseAccessRole.objects.filter(user_id=user_id).select_related("course")


def courses_managed_by(user: object) -> QuerySet[CourseRun]:
    """Courses the user may manage: all of them for global staff, else their course-team ones."""
    if getattr(user, "is_staff", False):
        return course_list()
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return CourseRun.objects.none()
    return CourseRun.objects.filter(team__user_id=user_id).distinct().order_by("key")
