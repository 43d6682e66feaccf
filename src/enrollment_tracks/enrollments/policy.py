"""Who may be enrolled where, and on which track. Pure checks; the services call them."""

from __future__ import annotations

import datetime as dt

from enrollment_tracks.core.errors import PermissionDenied, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks.availability import requires_payment
from enrollment_tracks.tracks.types import OfferedTrack


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")


def check_enrollment_open(*, course: CourseRun, now: dt.datetime) -> None:
    if course.enrollment_start and now < course.enrollment_start:
        raise ValidationFailed(
            f"Enrollment in this course opens on {_when(course.enrollment_start)}.",
            code="enrollment_closed",
        )
    if course.enrollment_end and now > course.enrollment_end:
        raise ValidationFailed(
            f"Enrollment in this course closed on {_when(course.enrollment_end)}.",
            code="enrollment_closed",
        )


def check_invitation_only(*, course: CourseRun, invited: bool) -> None:
    if course.invitation_only and not invited:
        raise PermissionDenied(
            "This course is by invitation only. Ask the course team for an invitation.",
            code="invitation_only",
        )


def check_capacity(*, course: CourseRun, active_learners: int) -> None:
    if course.max_enrollments is not None and active_learners >= course.max_enrollments:
        raise ValidationFailed(
            "This course is full: it has reached its maximum number of enrollments.",
            code="course_full",
        )


def check_learner_may_choose(*, track: OfferedTrack, default: OfferedTrack | None) -> None:
    """A learner may put themselves on a free, self-selectable, available track or the default."""
    if default is not None and default.slug == track.slug:
        return
    if track.self_enrollable:
        return
    if requires_payment(track.spec, track.price.amount):
        raise PermissionDenied(
            f"{track.display_name} is a paid track ({track.price}); "
            "you cannot enroll on it without paying."
            + (f" {track.unavailable_reason}" if track.unavailable_reason else ""),
            code="track_requires_payment",
            field="track",
        )
    if track.unavailable_reason:
        raise ValidationFailed(track.unavailable_reason, code="track_unavailable", field="track")
    raise PermissionDenied(
        f"The {track.display_name} track is assigned by the course team; "
        "you cannot choose it yourself.",
        code="track_not_selectable",
        field="track",
    )


def check_staff_reason(*, track: OfferedTrack, reason: str) -> None:
    """Putting someone on a paid track without payment is allowed to staff, with a reason."""
    if requires_payment(track.spec, track.price.amount) and not reason.strip():
        raise ValidationFailed(
            f"Give a reason: {track.display_name} is a paid track, and placing a learner on it "
            "without payment is recorded in the audit trail.",
            code="reason_required",
            field="reason",
        )
