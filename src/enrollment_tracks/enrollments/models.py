from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from enrollment_tracks.courses.models import CourseRun


class Enrollment(models.Model):
    """A learner's enrollment in a course run, on exactly one track (Open edX's ``mode``).

    Never deleted: unenrolling sets ``is_active`` to false; re-enrolling re-activates the same row,
    so ``created`` (the first enrollment) and the history stay.
    """

    # No single-column indexes: the unique (user, course) index serves lookups by learner (a
    # learner's few rows are sorted as they are read) and the (course, is_active, track) index
    # lookups by course. A change of track rewrites every index of the row: batch updates pay
    # for each one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrollments",
        db_index=False,
    )
    course = models.ForeignKey(
        CourseRun, on_delete=models.PROTECT, related_name="enrollments", db_index=False
    )
    track = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrollment_one_per_course")
        ]
        indexes = [
            models.Index(fields=["course", "is_active", "track"], name="enrollment_course_track"),
        ]
        ordering = ("user", "course")

    def __str__(self) -> str:
        state = "active" if self.is_active else "inactive"
        return f"{self.user} in {self.course.key} on {self.track} ({state})"


class EnrollmentAttribute(models.Model):
    """Open edX's ``CourseEnrollmentAttribute``: a fact an outside system attached to an enrollment.

    Known pairs: ``order``/``order_number`` and ``order``/``date_placed`` (written by the shop that
    sold the track), ``credit``/``provider_id``. Written only by
    :func:`enrollment_tracks.enrollments.services.enrollment_attributes_set`, which replaces all
    of an enrollment's attributes at once.
    """

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="attributes")
    namespace = models.CharField(max_length=255)
    name = models.CharField(max_length=255)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "namespace", "name"], name="enrollment_attribute_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}, {self.value}"


class Invitation(models.Model):
    """Open edX's ``CourseEnrollmentAllowed``: an email allowed (and maybe auto-) enrolled."""

    email = models.EmailField(max_length=255)
    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="invitations")
    auto_enroll = models.BooleanField(default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The first user who enrolled through this invitation; never changes once set.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), "course", name="invitation_email_course_unique")
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.course.key}"


class Transition(models.TextChoices):
    """Open edX's ``ManualEnrollmentAudit`` state-transition strings, kept verbatim."""

    UNENROLLED_TO_ALLOWEDTOENROLL = "from unenrolled to allowed to enroll"
    ALLOWEDTOENROLL_TO_ENROLLED = "from allowed to enroll to enrolled"
    ENROLLED_TO_ENROLLED = "from enrolled to enrolled"
    ENROLLED_TO_UNENROLLED = "from enrolled to unenrolled"
    UNENROLLED_TO_ENROLLED = "from unenrolled to enrolled"
    ALLOWEDTOENROLL_TO_UNENROLLED = "from allowed to enroll to unenrolled"
    UNENROLLED_TO_UNENROLLED = "from unenrolled to unenrolled"
    DEFAULT = "N/A"


class AuditQuerySet(models.QuerySet["EnrollmentAudit"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("The enrollment audit trail is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("The enrollment audit trail is append-only.")


class EnrollmentAudit(models.Model):
    """One append-only row per change of enrollment state or track, by anyone.

    A log, written in bulk by batch jobs: the references to courses, people and enrollments
    carry no database constraint (Django still applies ``SET_NULL`` when a user is deleted and
    ``PROTECT`` when a course is), and only the indexes its readers use exist: per course, per
    learner, per batch job (an enrollment's rows are found by learner and course).
    """

    course = models.ForeignKey(
        CourseRun,
        on_delete=models.PROTECT,  # applied by Django: no deferred check per row at commit
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    enrollment = models.ForeignKey(
        Enrollment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit",
        db_constraint=False,
        db_index=False,  # read per learner (learner, course): one enrollment each
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    email = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    role = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    transition = models.CharField(max_length=255, choices=Transition.choices)
    track_before = models.CharField(max_length=100, blank=True)
    track_after = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    batch_job_id = models.UUIDField(null=True, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["course", "-created_at"], name="audit_course_created"),
            models.Index(fields=["learner", "-created_at"], name="audit_learner_created"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.transition} ({self.track_before}→{self.track_after})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The enrollment audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("The enrollment audit trail is append-only.")
