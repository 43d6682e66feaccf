from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet

from enrollment_tracks.accounts.models import User
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import courses_managed_by
from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAttribute,
    EnrollmentAudit,
    Invitation,
)


def enrollment_get(*, learner: User, course: CourseRun) -> Enrollment | None:
    # By id: the default ordering (the course's key) would join the course for nothing.
    return Enrollment.objects.filter(user=learner, course=course).order_by("pk").first()


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


def enrollment_of(*, learner: User, course_key: str) -> Enrollment | None:
    """The learner's enrollment in the course with this key (``learner`` set on it)."""
    enrollment = (
        Enrollment.objects.select_related("course")
        .filter(user=learner, course__key=course_key)
        .order_by("pk")
        .first()
    )
    if enrollment is not None:
        enrollment.user = learner
    return enrollment


def enrollment_find(*, username: str, course_key: str) -> Enrollment | None:
    """The enrollment of the user with exactly this username in the course with this key."""
    return (
        Enrollment.objects.select_related("user", "course")
        .filter(user__username=username, course__key=course_key)
        .first()
    )


def enrollments_active_oldest_first(
    learner: User, *, in_courses_managed_by: User | None = None
) -> QuerySet[Enrollment]:
    """The learner's active enrollments, oldest first (Open edX's ``get_course_enrollments``).

    With ``in_courses_managed_by``, only those in courses that user may manage (all of them for
    global staff).
    """
    rows = Enrollment.objects.filter(user=learner, is_active=True).select_related("user", "course")
    if in_courses_managed_by is not None:
        rows = rows.filter(course__in=courses_managed_by(in_courses_managed_by).values("pk"))
    return rows.order_by("created", "id")


def enrollments_search(
    *,
    course_key: str = "",
    course_key_parts: Sequence[str] = (),
    usernames: Sequence[str] = (),
    emails: Sequence[str] = (),
) -> QuerySet[Enrollment]:
    """Every enrollment (active or not) matching all the given filters; none given: all.

    ``course_key_parts`` matches keys containing any of the parts, case-insensitively (Open edX
    accepts a course's key where a run's key is expected). Unordered: the caller paginates.
    """
    rows = Enrollment.objects.select_related("user", "course")
    if course_key:
        rows = rows.filter(course__key=course_key)
    if course_key_parts:
        matches = Q()
        for part in course_key_parts:
            matches |= Q(course__key__icontains=part)
        rows = rows.filter(matches)
    if usernames:
        rows = rows.filter(user__username__in=list(usernames))
    if emails:
        rows = rows.filter(user__email__in=list(emails))
    return rows


def enrollment_attributes(enrollment: Enrollment) -> QuerySet[EnrollmentAttribute]:
    return EnrollmentAttribute.objects.filter(enrollment=enrollment).order_by("namespace", "name")


def invitation_find(*, course: CourseRun, email: str) -> Invitation | None:
    return (
        Invitation.objects.filter(course=course, email__iexact=email.strip())
        .select_related("course", "user")
        .first()
    )


def invitations_for_email(email: str) -> QuerySet[Invitation]:
    """Every course's invitation of this email, oldest first."""
    return (
        Invitation.objects.filter(email__iexact=email.strip())
        .select_related("course", "user")
        .order_by("created", "id")
    )
