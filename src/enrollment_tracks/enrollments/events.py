"""Enrollment events for downstream domains, with openedx-events' ``CourseEnrollmentData`` shape.

Sent only after the change has committed. Connect receivers in your app's ``AppConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

#: ``org.openedx.learning.course.enrollment.created.v1``: every successful enroll, re-activations
#: included.
enrollment_created = Signal()
#: ``org.openedx.learning.course.enrollment.changed.v1``: any change of track or activity.
enrollment_changed = Signal()
#: ``org.openedx.learning.course.unenrollment.completed.v1``.
unenrollment_completed = Signal()


@dataclass(frozen=True, slots=True)
class UserPersonalData:
    username: str
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class UserData:
    id: int
    is_active: bool
    pii: UserPersonalData


@dataclass(frozen=True, slots=True)
class CourseData:
    course_key: str
    display_name: str
    start: dt.datetime | None
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CourseEnrollmentData:
    user: UserData
    course: CourseData
    mode: str
    is_active: bool
    creation_date: dt.datetime
    created_by: UserData | None


def send_after_commit(signal: Signal, enrollment: CourseEnrollmentData) -> None:
    transaction.on_commit(lambda: signal.send(sender=CourseEnrollmentData, enrollment=enrollment))
