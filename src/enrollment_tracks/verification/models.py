"""ID verification attempts, their encrypted photos, their history and the review mode.

Rows change only through :mod:`enrollment_tracks.verification.services`; every status change goes
through the one guard there, which reads :data:`TRANSITIONS` and writes an :class:`AttemptEvent`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class AttemptStatus(models.TextChoices):
    CREATED = "created", "Created"
    SUBMITTED = "submitted", "Submitted, waiting for review"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    MUST_RETRY = "must_retry", "New photos needed"
    EXPIRED = "expired", "Expired"


#: The only allowed status changes. A learner starts a *new* attempt after denied, must_retry or
#: expired; those statuses are final for the attempt itself.
TRANSITIONS: dict[AttemptStatus, frozenset[AttemptStatus]] = {
    AttemptStatus.CREATED: frozenset({AttemptStatus.SUBMITTED}),
    AttemptStatus.SUBMITTED: frozenset(
        {AttemptStatus.APPROVED, AttemptStatus.DENIED, AttemptStatus.MUST_RETRY}
    ),
    AttemptStatus.APPROVED: frozenset({AttemptStatus.EXPIRED}),
    AttemptStatus.DENIED: frozenset(),
    AttemptStatus.MUST_RETRY: frozenset(),
    AttemptStatus.EXPIRED: frozenset(),
}

#: Statuses in which a learner may not start another attempt.
OPEN_STATUSES = (AttemptStatus.CREATED, AttemptStatus.SUBMITTED)


class ReviewMode(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic: approved on submit, nothing is compared"
    MANUAL = "manual", "Manual: staff review the photos"


class PhotoKind(models.TextChoices):
    FACE = "face", "Face photo"
    ID = "id", "ID photo"


class VerificationAttempt(models.Model):
    """One submission of a face photo and an ID photo by a learner.

    ``public_id`` is the only identifier shown outside (URLs, APIs, emails), like Open edX's
    ``receipt_id``. ``expires_at`` is set on approval; the attempt counts as expired from then on
    even before the housekeeping job moves its status to ``expired``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verification_attempts"
    )
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.CREATED
    )
    #: The form's one-time key: the same key submitted twice gives the same attempt.
    submission_key = models.CharField(max_length=64)
    name = models.CharField("name as on the ID", max_length=255, blank=True)
    review_mode = models.CharField(max_length=20, choices=ReviewMode.choices)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Shown to the learner when the attempt is denied or new photos are needed.
    decision_reason = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    expiry_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    #: When the retention job deletes the photos (decision + retention, or account retirement).
    photos_delete_after = models.DateTimeField(null=True, blank=True)
    photos_deleted_at = models.DateTimeField(null=True, blank=True)
    #: Set when a stored photo failed decryption (tampered or corrupted ciphertext).
    integrity_failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["created", "submitted"]),
                name="verification_one_open_attempt",
            ),
            models.UniqueConstraint(
                fields=["user", "submission_key"], name="verification_submission_key_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved") | models.Q(expires_at__isnull=False),
                name="verification_approved_has_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="verification_user_created"),
            models.Index(fields=["status", "submitted_at"], name="verification_queue"),
            models.Index(fields=["status", "expires_at"], name="verification_expiry"),
            models.Index(fields=["photos_delete_after"], name="verification_retention"),
        ]
        permissions = [
            ("review_attempt", "Can review ID verification attempts and view their photos"),
        ]
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"ID verification {self.public_id} ({self.status})"


class AttemptPhoto(models.Model):
    """An encrypted photo: the ciphertext lives in the ``verification`` storage under a random
    name; this row holds what decrypting it needs except the key-encryption key.

    AES-256-GCM under a fresh data key and a fresh 96-bit nonce; the data key is wrapped (AES key
    wrap, RFC 3394) by the key-encryption key ``kek_id``. Deleting the photo removes the stored
    object and blanks ``wrapped_key``.
    """

    attempt = models.ForeignKey(
        VerificationAttempt, on_delete=models.CASCADE, related_name="photos"
    )
    kind = models.CharField(max_length=10, choices=PhotoKind.choices)
    storage_name = models.CharField(max_length=200, unique=True)
    kek_id = models.CharField(max_length=64)
    wrapped_key = models.BinaryField(max_length=64)
    nonce = models.BinaryField(max_length=12)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "kind"], name="verification_photo_per_kind"),
        ]
        indexes = [models.Index(fields=["kek_id"], name="verification_photo_kek")]

    def __str__(self) -> str:
        return f"{self.kind} photo of {self.attempt_id}"


class EventKind(models.TextChoices):
    TRANSITION = "transition", "Status changed"
    PHOTO_VIEWED = "photo_viewed", "Photo viewed"
    PHOTOS_DELETED = "photos_deleted", "Photos deleted"
    INTEGRITY_FAILED = "integrity_failed", "Photo failed decryption"


class AttemptEvent(models.Model):
    """Append-only history of an attempt: status changes, who looked at a photo, deletions."""

    attempt = models.ForeignKey(
        VerificationAttempt, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    photo_kind = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["attempt", "at"], name="verification_event_attempt")]
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.kind} {self.from_status}->{self.to_status} at {self.at:%Y-%m-%d %H:%M}"


class ReviewSettings(models.Model):
    """The site's review mode: one row (pk 1), created from ``VERIFICATION_REVIEW_MODE``."""

    SINGLETON_PK = 1

    review_mode = models.CharField(
        max_length=20,
        choices=ReviewMode.choices,
        default=ReviewMode.AUTOMATIC,
        help_text=(
            "Automatic approves every submission at once and tells the learner nothing was "
            "compared; manual puts submissions in the staff review queue."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "review setting"
        verbose_name_plural = "review settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="verification_settings_singleton")
        ]

    def __str__(self) -> str:
        return f"Review mode: {self.review_mode}"
