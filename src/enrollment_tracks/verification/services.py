"""Writes: submitting photos, the decisions, viewing a photo, the review mode, retirement.

Every status change goes through :func:`_transition`, which reads :data:`TRANSITIONS` and writes
the audit row. Services own their transaction; emails are queued in it (the outbox sends them
after commit). Photos are checked and encrypted before the transaction, so no lock is held while
images are decoded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, NotFound, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks.selectors import course_verification_deadline
from enrollment_tracks.verification import crypto, emails, events, photos, sealing
from enrollment_tracks.verification.models import (
    TRANSITIONS,
    AttemptEvent,
    AttemptPhoto,
    AttemptStatus,
    EventKind,
    PhotoKind,
    ReviewMode,
    ReviewSettings,
    VerificationAttempt,
)
from enrollment_tracks.verification.selectors import (
    REVIEW_MODE_CACHE_KEY,
    learner_verification,
    review_mode_get,
)
from enrollment_tracks.verification.types import OpenEdxStatus, PhotoUpload, SubmitResult

logger = logging.getLogger(__name__)

AUTOMATIC_REASON = "Automatic review: approved on submission; the photos were not compared."
PHOTO_FIELDS = {PhotoKind.FACE: "face_photo", PhotoKind.ID: "id_photo"}


def _transition(
    attempt: VerificationAttempt,
    to: AttemptStatus,
    *,
    actor: User | None,
    reason: str = "",
    now: dt.datetime,
) -> None:
    """The one guard: refuse a change the table does not allow, else apply it and audit it.

    The caller holds the attempt's row lock (or just created it) and saves it afterwards.
    """
    current = AttemptStatus(attempt.status)
    if to not in TRANSITIONS[current]:
        raise Conflict(
            f"This verification is {current.label.lower()}; it cannot become {to.label.lower()}.",
            code="invalid_transition",
        )
    AttemptEvent.objects.create(
        attempt=attempt,
        kind=EventKind.TRANSITION,
        from_status=current,
        to_status=to,
        actor=actor,
        reason=reason,
        at=now,
    )
    attempt.status = to
    attempt.updated_at = now


def _decide(
    attempt: VerificationAttempt,
    to: AttemptStatus,
    actor: User | None,
    reason: str,
    now: dt.datetime,
) -> None:
    """A decision: the transition, who and when, the retention clock, the approval's expiry."""
    _transition(attempt, to, actor=actor, reason=reason, now=now)
    attempt.decided_at = now
    attempt.decided_by = actor
    attempt.decision_reason = reason
    attempt.photos_delete_after = now + dt.timedelta(
        days=settings.VERIFICATION_PHOTO_RETENTION_DAYS
    )
    if to is AttemptStatus.APPROVED:
        attempt.expires_at = now + dt.timedelta(days=settings.VERIFICATION_EXPIRY_DAYS)
        # A reviewer's note on an approval stays in the history; the learner sees only the
        # automatic approval's statement that nothing was compared.
        attempt.decision_reason = reason if actor is None else ""
        events.send_approved_after_commit(attempt.user_id)


def _recipient(user: User) -> emails.Recipient:
    return emails.Recipient(email=user.email, name=user.display_name)


# ----------------------------------------------------------------------------------- submit


def _check_may_submit(learner: User, course: CourseRun | None, now: dt.datetime) -> None:
    state = learner_verification(learner.pk, at=now)
    if state.status is OpenEdxStatus.PENDING:
        raise Conflict("Your photos are already waiting for review.", code="verification_pending")
    if not state.can_verify:
        raise Conflict(
            "You are already verified; you can verify again in the last "
            f"{settings.VERIFICATION_EXPIRING_SOON_DAYS} days before it expires.",
            code="already_verified",
        )
    if course is not None:
        deadline = course_verification_deadline(course)
        if deadline is not None and now > deadline:
            raise ValidationFailed(
                "The verification deadline of this course has passed.",
                code="verification_deadline_passed",
                field="course",
            )


def attempt_submit(
    *,
    learner: User,
    face_photo: PhotoUpload | None,
    id_photo: PhotoUpload | None,
    submission_key: str,
    name: str = "",
    course: CourseRun | None = None,
) -> SubmitResult:
    """Check, encrypt and submit both photos as one new attempt.

    The same ``submission_key`` twice answers the first attempt (a double submit creates one
    attempt). In automatic review mode the attempt is approved at once, and says that nothing
    was compared. Errors name the field: ``face_photo``, ``id_photo``, ``name`` or ``course``.
    """
    key = (submission_key or "").strip()[:64] or uuid.uuid4().hex
    existing = VerificationAttempt.objects.filter(user=learner, submission_key=key).first()
    if existing is not None:
        return SubmitResult(existing.public_id, existing.status, created=False)
    now = clock.now()
    _check_may_submit(learner, course, now)
    name = name.strip()
    if len(name) > 255:
        raise ValidationFailed(
            "The name is longer than 255 characters.", code="too_long", field="name"
        )
    cleaned: dict[PhotoKind, bytes] = {}
    for kind, upload in ((PhotoKind.FACE, face_photo), (PhotoKind.ID, id_photo)):
        field = PHOTO_FIELDS[kind]
        if upload is None:
            raise ValidationFailed(
                f"The {photos.FIELD_LABELS[field]} is required.", code="required", field=field
            )
        cleaned[kind] = photos.photo_clean(upload.data, field=field, declared_size=upload.size)
    public_id = uuid.uuid4()
    stored = sealing.photos_seal_and_store(public_id, cleaned)
    try:
        with transaction.atomic():
            attempt = _create_submitted(learner, public_id, key, name, stored, now)
    except IntegrityError:
        sealing.photos_discard(stored)
        # A concurrent request with the same key, or another open attempt, won the race.
        winner = VerificationAttempt.objects.filter(user=learner, submission_key=key).first()
        if winner is not None:
            return SubmitResult(winner.public_id, winner.status, created=False)
        raise Conflict(
            "Your photos are already waiting for review.", code="verification_pending"
        ) from None
    except Exception:
        sealing.photos_discard(stored)
        raise
    logger.info("verification attempt %s submitted by user %s", attempt.public_id, learner.pk)
    return SubmitResult(attempt.public_id, attempt.status, created=True)


def _create_submitted(
    learner: User,
    public_id: uuid.UUID,
    key: str,
    name: str,
    stored: list[sealing.StoredPhoto],
    now: dt.datetime,
) -> VerificationAttempt:
    mode = review_mode_get()
    attempt = VerificationAttempt.objects.create(
        public_id=public_id,
        user=learner,
        submission_key=key,
        name=name or learner.name,
        review_mode=mode,
        created_at=now,
        updated_at=now,
    )
    AttemptEvent.objects.create(
        attempt=attempt,
        kind=EventKind.TRANSITION,
        to_status=AttemptStatus.CREATED,
        actor=learner,
        at=now,
    )
    AttemptPhoto.objects.bulk_create(
        AttemptPhoto(
            attempt=attempt,
            kind=item.kind,
            storage_name=item.storage_name,
            kek_id=item.sealed.kek_id,
            wrapped_key=item.sealed.wrapped_key,
            nonce=item.sealed.nonce,
            size=item.size,
            created_at=now,
        )
        for item in stored
    )
    _transition(attempt, AttemptStatus.SUBMITTED, actor=learner, now=now)
    attempt.submitted_at = now
    if mode is ReviewMode.AUTOMATIC:
        _decide(attempt, AttemptStatus.APPROVED, None, AUTOMATIC_REASON, now)
        attempt.save()
        emails.emails_queue([(attempt, _recipient(learner), emails.APPROVED)])
    else:
        attempt.save()
        emails.emails_queue([(attempt, _recipient(learner), emails.SUBMITTED)])
    return attempt


# -------------------------------------------------------------------------------- decisions


def _locked(public_id: uuid.UUID) -> VerificationAttempt:
    attempt = (
        VerificationAttempt.objects.select_for_update()
        .select_related("user")
        .filter(public_id=public_id)
        .first()
    )
    if attempt is None:
        raise NotFound("No such verification attempt.", code="attempt_not_found")
    return attempt


def attempt_decide(
    *, public_id: uuid.UUID, actor: User, decision: str, reason: str = ""
) -> VerificationAttempt:
    """A reviewer's decision: ``approve``, ``deny`` (reason required, shown to the learner) or
    ``retry`` (new photos needed; reason required). Only a submitted attempt can be decided."""
    targets = {
        "approve": AttemptStatus.APPROVED,
        "deny": AttemptStatus.DENIED,
        "retry": AttemptStatus.MUST_RETRY,
    }
    if decision not in targets:
        raise ValidationFailed(
            "Choose approve, deny or retry.", code="invalid_decision", field="decision"
        )
    reason = reason.strip()
    to = targets[decision]
    if to is not AttemptStatus.APPROVED and not reason:
        raise ValidationFailed(
            "Give the reason the learner will see.", code="reason_required", field="reason"
        )
    now = clock.now()
    with transaction.atomic():
        attempt = _locked(public_id)
        _decide(attempt, to, actor, reason, now)
        attempt.save()
        kind = emails.APPROVED if to is AttemptStatus.APPROVED else emails.DENIED
        emails.emails_queue([(attempt, _recipient(attempt.user), kind)])
    logger.info("verification attempt %s: %s by reviewer %s", public_id, to, actor.pk)
    return attempt


# ------------------------------------------------------------------------------ photo access


class PhotoUnavailable(Conflict):
    """The photo was deleted, or failed decryption (the attempt is then flagged)."""


def photo_view(*, public_id: uuid.UUID, kind: str, viewer: User) -> bytes:
    """The decrypted photo for a reviewer (the caller checked the permission).

    The view is logged (who, when, which photo) before anything is decrypted, and stays logged
    whatever happens next. A photo that fails decryption flags the attempt.
    """
    if kind not in PhotoKind.values:
        raise NotFound("No such photo.", code="photo_not_found")
    now = clock.now()
    photo = (
        AttemptPhoto.objects.select_related("attempt")
        .filter(attempt__public_id=public_id, kind=kind)
        .first()
    )
    if photo is None:
        raise NotFound("No such photo.", code="photo_not_found")
    AttemptEvent.objects.create(
        attempt=photo.attempt, kind=EventKind.PHOTO_VIEWED, photo_kind=kind, actor=viewer, at=now
    )
    if photo.deleted_at is not None:
        raise PhotoUnavailable(
            "This photo was deleted after the retention period.", code="photo_deleted"
        )
    try:
        return sealing.photo_open(photo, public_id)
    except (crypto.DecryptionFailed, OSError) as error:
        _flag_integrity(photo.attempt, kind, viewer, type(error).__name__, now)
        raise PhotoUnavailable(
            "This photo failed its integrity check and cannot be shown; the attempt is flagged.",
            code="photo_integrity_failed",
        ) from None


def _flag_integrity(
    attempt: VerificationAttempt, kind: str, viewer: User | None, what: str, now: dt.datetime
) -> None:
    logger.error(
        "verification attempt %s: %s photo failed decryption (%s)", attempt.public_id, kind, what
    )
    with transaction.atomic():
        VerificationAttempt.objects.filter(pk=attempt.pk, integrity_failed_at__isnull=True).update(
            integrity_failed_at=now
        )
        AttemptEvent.objects.create(
            attempt=attempt,
            kind=EventKind.INTEGRITY_FAILED,
            photo_kind=kind,
            actor=viewer,
            reason=f"Decryption failed ({what}).",
            at=now,
        )


# ----------------------------------------------------------------------------- site setting


def review_mode_set(mode: str) -> ReviewMode:
    if mode not in ReviewMode.values:
        raise ValidationFailed(
            f"The review mode must be one of {', '.join(ReviewMode.values)}.",
            code="invalid_review_mode",
            field="review_mode",
        )
    ReviewSettings.objects.update_or_create(
        pk=ReviewSettings.SINGLETON_PK, defaults={"review_mode": mode}
    )
    cache.delete(REVIEW_MODE_CACHE_KEY)
    return ReviewMode(mode)


# ------------------------------------------------------------------------------- retirement


def verification_retire_user(user_id: int) -> int:
    """Account retirement: blank the names and make every photo of the learner due for deletion
    now; the deletion task (queued after commit) removes the stored objects. Returns the number of
    attempts touched. Safe to call again."""
    from enrollment_tracks.verification.tasks import verification_photos_delete

    now = clock.now()
    with transaction.atomic():
        touched = VerificationAttempt.objects.filter(user_id=user_id).update(
            name="", photos_delete_after=now, updated_at=now
        )
        transaction.on_commit(lambda: verification_photos_delete.enqueue())
    return touched
