from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment_tracks.courses.models import CourseRun


class CourseTrack(models.Model):
    """A track a course offers (Open edX's ``CourseMode``).

    Written only through :mod:`enrollment_tracks.tracks.services`, which validate it against the
    catalog and the site configuration.
    """

    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="tracks")
    slug = models.CharField("track", max_length=100)
    display_name = models.CharField(max_length=255)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal(0))
    currency = models.CharField(max_length=8, default="usd")
    upgrade_deadline = models.DateTimeField(
        null=True, blank=True, help_text="After this moment nobody can enroll on this track."
    )
    upgrade_deadline_is_explicit = models.BooleanField(
        "lock upgrade deadline",
        default=False,
        help_text="Keep the deadline when the course's dates change.",
    )
    description = models.TextField(blank=True)
    sku = models.CharField(max_length=255, blank=True)
    bulk_sku = models.CharField(max_length=255, blank=True)
    is_pinned_default = models.BooleanField(
        "pinned as default",
        default=False,
        help_text="New and re-activated enrollments land on this free track.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("course", "slug")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "slug", "currency"], name="course_track_unique_slug_currency"
            ),
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(is_pinned_default=True),
                name="course_track_one_pinned_default",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="course_track_price_gte_0"),
            models.CheckConstraint(
                condition=Q(upgrade_deadline_is_explicit=False) | Q(upgrade_deadline__isnull=False),
                name="course_track_locked_deadline_needs_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.key} — {self.slug}"


class TrackChange(models.TextChoices):
    ADDED = "added", "Added"
    UPDATED = "updated", "Updated"
    REMOVED = "removed", "Removed"


class CourseTrackHistory(models.Model):
    """Append-only record of every change to a course's tracks."""

    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="track_history")
    slug = models.CharField(max_length=100)
    change = models.CharField(max_length=16, choices=TrackChange.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(
        help_text="The track's fields after the change (before, if removed)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "course track history"

    def __str__(self) -> str:
        return f"{self.course_id}: {self.slug} {self.change}"


class CourseVerificationDeadline(models.Model):
    """The last moment to submit ID photos for a course (Open edX's ``VerificationDeadline``).

    Not the upgrade deadline: a learner who upgraded in time may still verify until this moment.
    No row means no deadline. Written only through
    :func:`enrollment_tracks.tracks.services.course_verification_deadline_set` and the Commerce
    API's replace, which set explicit deadlines.
    """

    course = models.OneToOneField(CourseRun, on_delete=models.CASCADE, related_name="+")
    deadline = models.DateTimeField()
    deadline_is_explicit = models.BooleanField(
        default=True,
        help_text="Set by a person or the Commerce API; a derived deadline would follow the "
        "course's end.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.course_id}: verify by {self.deadline:%Y-%m-%d %H:%M}"
