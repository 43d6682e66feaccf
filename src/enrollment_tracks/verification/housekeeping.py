"""The periodic work: expire approvals, send expiry reminders, delete photos past retention,
re-wrap data keys after a key rotation.

Each function works in chunks, each chunk in its own transaction, and takes its to-do list from
the rows themselves (an approved attempt past its expiry, a photo not yet deleted...). A run that
dies midway leaves finished chunks finished; the next run picks up the rest; running twice
changes nothing more. No query per learner: one read and a few bulk writes per chunk.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from enrollment_tracks.core import clock
from enrollment_tracks.verification import crypto, emails, storage
from enrollment_tracks.verification.models import (
    AttemptEvent,
    AttemptPhoto,
    AttemptStatus,
    EventKind,
    VerificationAttempt,
)

logger = logging.getLogger(__name__)
CHUNK = 500


@dataclass(frozen=True, slots=True)
class HousekeepingReport:
    expired: int
    reminded: int
    photos_deleted: int


def attempts_expire(*, chunk: int = CHUNK) -> int:
    """approved → expired for every approval past its expiry date (audited, in bulk)."""
    now = clock.now()
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                VerificationAttempt.objects.select_for_update()
                .filter(status=AttemptStatus.APPROVED, expires_at__lte=now)
                .order_by("id")
                .values_list("id", flat=True)[:chunk]
            )
            if not ids:
                return done
            VerificationAttempt.objects.filter(id__in=ids).update(
                status=AttemptStatus.EXPIRED, updated_at=now
            )
            AttemptEvent.objects.bulk_create(
                AttemptEvent(
                    attempt_id=attempt_id,
                    kind=EventKind.TRANSITION,
                    from_status=AttemptStatus.APPROVED,
                    to_status=AttemptStatus.EXPIRED,
                    reason=f"{settings.VERIFICATION_EXPIRY_DAYS} days after approval.",
                    at=now,
                )
                for attempt_id in ids
            )
        done += len(ids)


def expiry_reminders_send(*, chunk: int = CHUNK) -> int:
    """Email learners whose verification expires within ``VERIFICATION_EXPIRING_SOON_DAYS``,
    once per approval, unless a newer approval already lasts longer."""
    now = clock.now()
    horizon = now + dt.timedelta(days=settings.VERIFICATION_EXPIRING_SOON_DAYS)
    renewed = VerificationAttempt.objects.filter(
        user_id=OuterRef("user_id"),
        status=AttemptStatus.APPROVED,
        expires_at__gt=OuterRef("expires_at"),
    )
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                VerificationAttempt.objects.select_for_update(of=("self",))
                .filter(
                    status=AttemptStatus.APPROVED,
                    expires_at__gt=now,
                    expires_at__lte=horizon,
                    expiry_reminder_sent_at__isnull=True,
                )
                .exclude(Exists(renewed))
                .select_related("user")
                .order_by("id")[:chunk]
            )
            if not batch:
                return done
            VerificationAttempt.objects.filter(id__in=[a.id for a in batch]).update(
                expiry_reminder_sent_at=now
            )
            emails.emails_queue(
                (
                    attempt,
                    emails.Recipient(attempt.user.email, attempt.user.display_name),
                    emails.EXPIRING,
                )
                for attempt in batch
            )
        done += len(batch)


def photos_delete_due(*, chunk: int = 200, user_id: int | None = None) -> int:
    """Delete the stored photos of attempts past ``photos_delete_after`` (decision + retention,
    or account retirement), blank their wrapped keys, and audit it once per attempt.

    Objects are deleted first, then the rows marked: a crash between the two leaves rows still
    to do, and deleting an object already gone is harmless, so the next run finishes the job.
    """
    now = clock.now()
    done = 0
    while True:
        due = AttemptPhoto.objects.filter(
            deleted_at__isnull=True, attempt__photos_delete_after__lte=now
        )
        if user_id is not None:
            due = due.filter(attempt__user_id=user_id)
        batch = list(due.order_by("id").values_list("id", "attempt_id", "storage_name")[:chunk])
        if not batch:
            return done
        for _photo_id, _attempt_id, name in batch:
            storage.object_delete(name)
        attempt_ids = {attempt_id for _, attempt_id, _ in batch}
        with transaction.atomic():
            AttemptPhoto.objects.filter(id__in=[photo_id for photo_id, _, _ in batch]).update(
                deleted_at=now, wrapped_key=b""
            )
            remaining = AttemptPhoto.objects.filter(
                attempt_id=OuterRef("pk"), deleted_at__isnull=True
            )
            finished = list(
                VerificationAttempt.objects.filter(
                    id__in=attempt_ids, photos_deleted_at__isnull=True
                )
                .exclude(Exists(remaining))
                .values_list("id", flat=True)
            )
            VerificationAttempt.objects.filter(id__in=finished).update(photos_deleted_at=now)
            AttemptEvent.objects.bulk_create(
                AttemptEvent(attempt_id=attempt_id, kind=EventKind.PHOTOS_DELETED, at=now)
                for attempt_id in finished
            )
        done += len(batch)
        logger.info("verification retention: deleted %s photo(s)", len(batch))


def photo_keys_rewrap(*, chunk: int = CHUNK) -> int:
    """Re-wrap every stored data key under the current key-encryption key (after a rotation).

    The ciphertexts are not touched. Chunks commit one by one; a run can be repeated.
    """
    target = crypto.current_kek_id()
    done = 0
    while True:
        with transaction.atomic():
            batch = list(
                AttemptPhoto.objects.select_for_update()
                .filter(deleted_at__isnull=True)
                .exclude(kek_id=target)
                .order_by("id")[:chunk]
            )
            if not batch:
                return done
            for photo in batch:
                photo.kek_id, wrapped = crypto.rewrap(photo.kek_id, bytes(photo.wrapped_key))
                photo.wrapped_key = wrapped
            AttemptPhoto.objects.bulk_update(batch, ["kek_id", "wrapped_key"])
        done += len(batch)


def housekeeping_run() -> HousekeepingReport:
    return HousekeepingReport(
        expired=attempts_expire(),
        reminded=expiry_reminders_send(),
        photos_deleted=photos_delete_due(),
    )
