"""What the verification app tells other apps: a learner's verification was approved.

Sent after the approval commits (never for a decision that rolls back), with the learner's id.
The certificates app listens, to issue what the approval makes the learner eligible for.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

#: ``user_id``: the learner whose verification is now approved.
verification_approved = Signal()


class VerificationApproved:
    """The sender of `verification_approved`."""


def send_approved_after_commit(user_id: int) -> None:
    transaction.on_commit(
        lambda: verification_approved.send(sender=VerificationApproved, user_id=user_id),
        robust=True,
    )
