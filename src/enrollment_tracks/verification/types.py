from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass


class OpenEdxStatus(enum.StrEnum):
    """A learner's verification status in Open edX's words (``IDVerificationService.user_status``).

    * ``none``: no submitted attempt;
    * ``pending``: the latest attempt waits for review;
    * ``approved``: an approved attempt is valid at the moment asked about;
    * ``expired``: the latest decision was an approval that has expired since;
    * ``must_reverify``: the latest attempt was denied, or the reviewer asked for new photos
      (our ``must_retry``; Open edX's ``must_retry`` is a system error it re-sends by itself, so
      it reports that one as ``pending``).
    """

    NONE = "none"
    PENDING = "pending"
    APPROVED = "approved"
    EXPIRED = "expired"
    MUST_REVERIFY = "must_reverify"


@dataclass(frozen=True, slots=True)
class LearnerVerification:
    """What a learner's pages and the status API show."""

    status: OpenEdxStatus
    attempt_id: uuid.UUID | None
    attempt_status: str
    expires_at: dt.datetime | None
    decision_reason: str
    can_verify: bool

    @property
    def is_verified(self) -> bool:
        return self.status is OpenEdxStatus.APPROVED


@dataclass(frozen=True, slots=True)
class PhotoUpload:
    """An uploaded photo as the upload handler kept it: the bytes kept and the full size."""

    data: bytes
    size: int


@dataclass(frozen=True, slots=True)
class SubmitResult:
    attempt_id: uuid.UUID
    status: str
    created: bool
