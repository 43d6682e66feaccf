from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Pacing(models.TextChoices):
    INSTRUCTOR = "instructor", "Instructor-paced"
    SELF = "self", "Self-paced"


class CourseRun(models.Model):
    """A course run, identified by its Open edX course key (``course-v1:Org+Number+Run``)."""

    key = models.CharField(max_length=255, unique=True, help_text="course-v1:Org+Number+Run")
    org = models.CharField(max_length=255, db_index=True)
    number = models.CharField(max_length=255)
    run = models.CharField(max_length=255)
    title = models.CharField(max_length=255)
    start = models.DateTimeField(null=True, blank=True)
    end = models.DateTimeField(null=True, blank=True)
    enrollment_start = models.DateTimeField(null=True, blank=True)
    enrollment_end = models.DateTimeField(null=True, blank=True)
    invitation_only = models.BooleanField(default=False)
    max_enrollments = models.PositiveIntegerField(
        null=True, blank=True, help_text="Capacity, course team excluded. Empty: no limit."
    )
    pacing = models.CharField(max_length=16, choices=Pacing.choices, default=Pacing.INSTRUCTOR)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("key",)
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="course_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(enrollment_end__isnull=True)
                | Q(enrollment_start__isnull=True)
                | Q(enrollment_end__gte=F("enrollment_start")),
                name="course_enrollment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.key})"


class CourseRole(models.TextChoices):
    INSTRUCTOR = "instructor", "Instructor"
    STAFF = "staff", "Staff"


class CourseAccessRole(models.Model):
    """A course team membership (Open edX's ``CourseAccessRole`` for instructor and staff)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_roles"
    )
    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=32, choices=CourseRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course", "role"], name="course_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.course.key}"
