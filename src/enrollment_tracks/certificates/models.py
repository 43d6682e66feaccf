"""Certificates: configuration per course, grades in, staff lists, issued certificates, jobs.

Invariants live in the database: one configuration and one passing grade per course, at most
four signatories, grades between 0 and 100, one grade and one certificate per enrollment, one
allow/block entry per learner and course, one unfinished generation job per course.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment_tracks.certificates.eligibility import ListEntry
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.models import Enrollment

MAX_SIGNATORIES = 4
DEFAULT_PASSING_GRADE = 50


def new_verify_uuid() -> str:
    """The public id of a certificate: 32 random hex characters (Open edX's ``verify_uuid``)."""
    return secrets.token_hex(16)


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("History is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("History is append-only.")


class CertificateConfiguration(models.Model):
    """What a course's certificates say and whether they are issued (the Certificates tab)."""

    course = models.OneToOneField(
        CourseRun, on_delete=models.CASCADE, related_name="certificate_configuration"
    )
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    organisation_name = models.CharField(max_length=255)
    organisation_logo = models.ImageField(upload_to="certificates/logos/", blank=True)
    is_active = models.BooleanField(default=False)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.title} ({self.course.key})"


class Signatory(models.Model):
    configuration = models.ForeignKey(
        CertificateConfiguration, on_delete=models.CASCADE, related_name="signatories"
    )
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    signature = models.ImageField(upload_to="certificates/signatures/", blank=True)

    class Meta:
        ordering = ("configuration", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["configuration", "position"], name="signatory_one_per_position"
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1) & Q(position__lte=MAX_SIGNATORIES),
                name="signatory_at_most_four",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


class PassingGrade(models.Model):
    """The course's passing grade (Open edX's grade cutoff), in percent. Default: 50 %."""

    course = models.OneToOneField(CourseRun, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="passing_grade_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent} % in {self.course_id}"


class Grade(models.Model):
    """A learner's course grade, in percent, as the LMS or the course team reported it."""

    enrollment = models.OneToOneField(Enrollment, on_delete=models.CASCADE, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="grade_0_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.percent} % (enrollment {self.enrollment_id})"


class GradeSource(models.TextChoices):
    CSV = "csv", "CSV upload"
    API = "api", "API"
    ADMIN = "admin", "Admin"


class GradeHistory(models.Model):
    """One append-only row per change of a grade: before, after, who, how, when."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="+")
    before = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(max_digits=5, decimal_places=2)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=16, choices=GradeSource.choices)
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "grade history"

    def __str__(self) -> str:
        return f"{self.before} → {self.after} ({self.source})"


class CertificateException(models.Model):
    """The allow list and the block list: a staff decision about one learner, with a reason."""

    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(
        max_length=8, choices=[(entry.value, entry.value.title()) for entry in ListEntry]
    )
    reason = models.TextField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user"], name="certificate_exception_one_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.user_id} in {self.course_id}"


class CertificateState(models.TextChoices):
    ISSUED = "issued", "Issued"
    REVOKED = "revoked", "Revoked"


#: The certificate state machine: the only allowed moves.
TRANSITIONS: dict[str, frozenset[str]] = {
    CertificateState.ISSUED: frozenset({CertificateState.REVOKED}),
    CertificateState.REVOKED: frozenset(),
}


class Certificate(models.Model):
    """An issued certificate. At most one per enrollment; never deleted, revoked instead."""

    verify_uuid = models.CharField(max_length=32, unique=True, default=new_verify_uuid)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(CourseRun, on_delete=models.PROTECT, related_name="+")
    track = models.CharField(max_length=100)
    grade = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    name = models.CharField(max_length=255, help_text="The learner's name when it was issued.")
    state = models.CharField(
        max_length=16, choices=CertificateState.choices, default=CertificateState.ISSUED
    )
    issued_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ("course", "user")
        constraints = [
            models.UniqueConstraint(fields=["enrollment"], name="certificate_one_per_enrollment")
        ]
        indexes = [
            models.Index(fields=["course", "state"], name="certificate_course_state"),
            models.Index(fields=["user", "course"], name="certificate_user_course"),
        ]

    def __str__(self) -> str:
        return f"{self.verify_uuid} ({self.state})"

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.ISSUED


class CertificateHistory(models.Model):
    """Append-only: every issue and revocation, by whom, why, by which job."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    reason = models.TextField(blank=True)
    job_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "certificate history"

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


class GenerationJob(models.Model):
    """“Generate certificates” for a whole course, run by the worker in checkpointed chunks.

    ``checkpoint`` is the last enrollment id handled: a chunk and its checkpoint commit together,
    so a run that stops anywhere is resumed from there by the next run.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    checkpoint = models.BigIntegerField(default=0)
    runner = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(status__in=["queued", "running"]),
                name="generation_one_unfinished_per_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} generation {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status not in UNFINISHED

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)
