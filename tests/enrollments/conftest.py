from __future__ import annotations

import pytest

from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.models import EnrollmentAudit
from tests.factories import make_course, make_course_team, make_track


@pytest.fixture
def course() -> CourseRun:
    """A course that offers audit alone (configured, so other tracks can be added beside it)."""
    course = make_course()
    make_track(course, "audit")
    return course


@pytest.fixture
def staff(course):
    """A member of ``course``'s team with the staff role."""
    return make_course_team(course, "staff")


@pytest.fixture
def audit_trail():
    """The audit rows about one learner in one course, oldest first."""

    def rows(learner, course) -> list[EnrollmentAudit]:
        return list(
            EnrollmentAudit.objects.filter(learner=learner, course=course).order_by(
                "created_at", "id"
            )
        )

    return rows
