"""What an API caller may do. Plain predicates, shared by every API view and tested as a table.

Scopes of service clients: ``enrollments:read``, ``enrollments:write``, ``course_modes:read``,
``course_modes:write``, ``commerce:write``. The legacy API key holds every scope (Open edX's
``X-Edx-Api-Key`` is all-powerful); global staff (``User.is_staff``) may do everything a scope
allows.
"""

from __future__ import annotations

from enrollment_tracks.api.callers import ApiCaller, Via
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course

ENROLLMENTS_READ = "enrollments:read"
ENROLLMENTS_WRITE = "enrollments:write"
COURSE_MODES_READ = "course_modes:read"
COURSE_MODES_WRITE = "course_modes:write"
COMMERCE_WRITE = "commerce:write"
ALL_SCOPES = frozenset(
    {ENROLLMENTS_READ, ENROLLMENTS_WRITE, COURSE_MODES_READ, COURSE_MODES_WRITE, COMMERCE_WRITE}
)


def is_global_staff(caller: ApiCaller) -> bool:
    return bool(caller.user and caller.user.is_staff)


def has_scope(caller: ApiCaller, scope: str) -> bool:
    """A service client holding ``scope`` (the legacy API key holds them all)."""
    if caller.via is Via.API_KEY:
        return True
    return caller.is_client and scope in caller.scopes


def may(caller: ApiCaller, scope: str) -> bool:
    """Global staff, or a client with the scope."""
    return is_global_staff(caller) or has_scope(caller, scope)


def is_privileged_for_enrollments(caller: ApiCaller) -> bool:
    """May act on anyone's enrollment and use paid tracks (Open edX: staff or API key)."""
    return may(caller, ENROLLMENTS_WRITE)


def may_read_enrollments_of_others(caller: ApiCaller) -> bool:
    return may(caller, ENROLLMENTS_READ) or may(caller, ENROLLMENTS_WRITE)


def may_manage_course_modes(caller: ApiCaller, course: CourseRun | None = None) -> bool:
    """Course modes API writes: a client with ``course_modes:write``, global staff, or (for one
    course) its course team."""
    if may(caller, COURSE_MODES_WRITE):
        return True
    return bool(course is not None and caller.user and can_manage_course(caller.user, course))


def may_read_course_modes(caller: ApiCaller, course: CourseRun | None = None) -> bool:
    return may(caller, COURSE_MODES_READ) or may_manage_course_modes(caller, course)


def may_write_commerce(caller: ApiCaller) -> bool:
    return may(caller, COMMERCE_WRITE)
