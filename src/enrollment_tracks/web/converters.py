from __future__ import annotations

from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN


class CourseKeyConverter:
    """Matches course-v1 and legacy slash keys in a URL; validation happens in the selector."""

    regex = COURSE_KEY_URL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
