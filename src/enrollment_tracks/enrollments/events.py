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
#: Ours, for receivers that react set-based: sent once per committed change (one learner from the
#: single services, every changed learner of a chunk from the batch path) with
#: ``course_key: str``, ``user_ids: tuple[int, ...]`` and ``tracks: tuple[str, ...]`` (each
#: learner's track after the change, in the same order); ``sender`` is ``LearnersChanged``.
learners_changed = Signal()


class LearnersChanged:
    """The sender of :data:`learners_changed`."""


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
    def send() -> None:
        signal.send(sender=CourseEnrollmentData, enrollment=enrollment)
        if signal is enrollment_changed:
            _send_learners_changed(
                enrollment.course.course_key, (enrollment.user.id,), (enrollment.mode,)
            )

    transaction.on_commit(send)


def _send_learners_changed(
    course_key: str, user_ids: tuple[int, ...], tracks: tuple[str, ...]
) -> None:
    if user_ids and learners_changed.has_listeners(LearnersChanged):
        learners_changed.send(
            sender=LearnersChanged, course_key=course_key, user_ids=user_ids, tracks=tracks
        )


def send_learners_changed_after_commit(course_key: str, changes: list[tuple[int, str]]) -> None:
    """:data:`learners_changed` after commit for ``(user_id, track)`` pairs, if anyone listens."""
    if not changes or not learners_changed.has_listeners(LearnersChanged):
        return
    user_ids = tuple(user_id for user_id, _ in changes)
    tracks = tuple(track for _, track in changes)
    transaction.on_commit(lambda: _send_learners_changed(course_key, user_ids, tracks))
