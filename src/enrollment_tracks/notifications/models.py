from __future__ import annotations

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    PARKED = "parked", "Parked (failed)"


class OutboxContext(models.Model):
    """The part of a template context that many messages share (a batch job's course, site
    and links), stored once instead of in each message."""

    context = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"shared context {self.pk}"


class OutboxMessage(models.Model):
    """One email to send; ``key`` makes enqueueing idempotent (``job:<id>:<user>:<type>``).

    Its template context is ``shared_context`` (if any) updated with ``context``.
    """

    key = models.CharField(max_length=200)
    to_email = models.CharField(max_length=255)
    message_type = models.CharField(max_length=64)
    context = models.JSONField(default=dict)
    shared_context = models.ForeignKey(
        OutboxContext,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # written with its messages, in their transaction
        db_index=False,  # never looked up from the context's side
    )
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker took it for sending."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        # A constraint rather than unique=True: on PostgreSQL, unique=True adds a second
        # (LIKE) index that nothing uses and every batch insert pays for.
        constraints = [models.UniqueConstraint(fields=["key"], name="outbox_key_unique")]
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.message_type} to {self.to_email} ({self.status})"
