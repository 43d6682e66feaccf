"""Course run keys, parsed exactly as Open edX parses them."""

from __future__ import annotations

from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey
from opaque_keys.edx.locator import CourseLocator, LibraryLocator

from enrollment_tracks.core.errors import ValidationFailed

# Matches both `course-v1:Org+Number+Run` and legacy `Org/Number/Run` in URLs (Open edX's
# COURSE_ID_PATTERN); the key is then validated by `course_key_parse`.
COURSE_KEY_URL_PATTERN = r"[^/+]+(?:/|\+)[^/+]+(?:/|\+)[^/?]+"


def course_key_parse(raw: str, *, field: str = "course_id") -> CourseLocator:
    """Parse a course run key; raise ``ValidationFailed`` (code ``invalid_course_key``) if bad."""
    try:
        key = CourseKey.from_string((raw or "").strip())
    except InvalidKeyError:
        key = None
    if not isinstance(key, CourseLocator) or isinstance(key, LibraryLocator):
        raise ValidationFailed(
            f"“{raw}” is not a valid course run key. Use course-v1:Org+Number+Run "
            "(or the legacy Org/Number/Run).",
            code="invalid_course_key",
            field=field,
        )
    return key
