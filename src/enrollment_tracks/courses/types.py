from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseInput:
    """What a course run is made of, as given by an operator or the demo loader."""

    key: str
    title: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    enrollment_start: dt.datetime | None = None
    enrollment_end: dt.datetime | None = None
    invitation_only: bool = False
    max_enrollments: int | None = None
    pacing: str = "instructor"
