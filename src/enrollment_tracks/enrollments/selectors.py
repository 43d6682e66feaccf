from __future__ import annotations

from django.db.models import Count, QuerySet

from enrollment_tracks.accounts.models import User
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Invitation


def enrollment_get(*, learner: User, course: CourseRun) -> Enrollment | None:
    return Enrollment.objects.filter(user=learner, course=course).first()


def enrollments_for_learner(learner: User, *, active_only: bool = True) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.filter(user=learner).select_related("course")
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("-created")


def course_enrollment_counts(course: CourseRun) -> dict[str, int]:
    """Active enrollments per track, plus ``total`` (Open edX's ``enrollment_counts``)."""
    counts = {
        row["track"]: row["n"]
        for row in Enrollment.objects.filter(course=course, is_active=True)
        .values("track")
        .annotate(n=Count("id"))
    }
    counts["total"] = sum(counts.values())
    return counts


def course_enrollments(course: CourseRun, *, active_only: bool = True) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.filter(course=course).select_related("user")
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("user__username")


def audit_for_learner(
    learner: User, *, course: CourseRun | None = None
) -> QuerySet[EnrollmentAudit]:
    rows = EnrollmentAudit.objects.filter(learner=learner).select_related("actor", "course")
    if course is not None:
        rows = rows.filter(course=course)
    return rows


def audit_for_course(course: CourseRun) -> QuerySet[EnrollmentAudit]:
    return EnrollmentAudit.objects.filter(course=course).select_related("actor", "learner")


def invitations_for_course(course: CourseRun) -> QuerySet[Invitation]:
    return Invitation.objects.filter(course=course).select_related("user").order_by("email")
