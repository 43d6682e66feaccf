"""The verification emails, queued through the notifications outbox in the caller's transaction.

Each message has a key made of the attempt's public id and the event, so queuing it twice (a
retried job) sends it once. The context holds no photo, only what the template shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.notifications.services import outbox_enqueue
from enrollment_tracks.notifications.types import OutgoingMessage
from enrollment_tracks.verification.models import VerificationAttempt

SUBMITTED = "verification_submitted"
APPROVED = "verification_approved"
DENIED = "verification_denied"
EXPIRING = "verification_expiring"
MESSAGE_TYPES = frozenset({SUBMITTED, APPROVED, DENIED, EXPIRING})


@dataclass(frozen=True, slots=True)
class Recipient:
    email: str
    name: str


def _message(
    attempt: VerificationAttempt, recipient: Recipient, message_type: str
) -> OutgoingMessage:
    site = site_configuration_get()
    return OutgoingMessage(
        key=f"verification:{attempt.public_id}:{message_type}",
        to_email=recipient.email,
        message_type=message_type,
        context={
            "platform_name": site.platform_name,
            "learner_name": recipient.name,
            "status_url": settings.SITE_URL + reverse("verification:status"),
            "start_url": settings.SITE_URL + reverse("verification:start"),
            "review_mode": attempt.review_mode,
            "attempt_status": attempt.status,
            "reason": attempt.decision_reason,
            "expires_on": attempt.expires_at.strftime("%d %B %Y") if attempt.expires_at else "",
        },
    )


def emails_queue(items: Iterable[tuple[VerificationAttempt, Recipient, str]]) -> int:
    """Queue one message per (attempt, recipient, type) in the caller's transaction."""
    messages = [_message(attempt, recipient, kind) for attempt, recipient, kind in items]
    return outbox_enqueue(messages) if messages else 0
