"""Course run keys are parsed exactly as Open edX parses them."""

from __future__ import annotations

import re

import pytest

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN, course_key_parse


@pytest.mark.parametrize(
    ("raw", "canonical", "org", "number", "run"),
    [
        ("course-v1:DemoX+T101+2026", "course-v1:DemoX+T101+2026", "DemoX", "T101", "2026"),
        ("edX/DemoX/Demo_Course", "edX/DemoX/Demo_Course", "edX", "DemoX", "Demo_Course"),
        ("  course-v1:A.B+C-1+2026_T1 ", "course-v1:A.B+C-1+2026_T1", "A.B", "C-1", "2026_T1"),
    ],
    ids=["course-v1", "legacy", "surrounding spaces"],
)  # fmt: skip
def test_valid_keys_keep_their_canonical_string(raw, canonical, org, number, run):
    key = course_key_parse(raw)

    assert str(key) == canonical
    assert (key.org, key.course, key.run) == (org, number, run)


@pytest.mark.parametrize(
    "raw",
    [
        "course-v1:bad",
        "",
        "library-v1:Org+Lib",
        "not a key",
        "course-v1:Org+Number",
        "block-v1:Org+Number+Run+type@html+block@intro",
        None,
    ],
)
def test_malformed_keys_are_refused(raw):
    with pytest.raises(ValidationFailed) as caught:
        course_key_parse(raw)

    assert caught.value.code == "invalid_course_key"
    assert caught.value.field == "course_id"
    assert "is not a valid course run key" in caught.value.message
    assert "course-v1:Org+Number+Run" in caught.value.message


def test_error_names_the_callers_field():
    with pytest.raises(ValidationFailed) as caught:
        course_key_parse("nope", field="key")

    assert caught.value.field == "key"
    assert "nope" in caught.value.message


@pytest.mark.parametrize(
    ("path", "matches"),
    [
        ("course-v1:DemoX+Tracks101+2026", True),
        ("edX/DemoX/Demo_Course", True),
        ("DemoX+Tracks101", False),
    ],
)
def test_url_pattern_matches_both_key_forms(path, matches):
    assert (re.fullmatch(COURSE_KEY_URL_PATTERN, path) is not None) is matches
