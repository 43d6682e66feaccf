from __future__ import annotations

from django.urls import register_converter

from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN


class CourseKeyConverter:
    """Matches course-v1 and legacy slash keys in a URL; validation happens in the selector."""

    regex = COURSE_KEY_URL_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# Registered once, on first import, for every URL module that uses <course_key:...>.
register_converter(CourseKeyConverter, "course_key")
