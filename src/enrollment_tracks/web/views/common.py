from __future__ import annotations

from django.http import HttpRequest

from enrollment_tracks.accounts.models import User
from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.web.errors import raise_for_page


def course_or_404(course_key: str) -> CourseRun:
    try:
        return course_get(course_key)
    except DomainError as error:
        raise_for_page(error)
        raise


def current_user(request: HttpRequest) -> User:
    """The signed-in user (views using this are behind ``login_required``)."""
    return request_user(request)
