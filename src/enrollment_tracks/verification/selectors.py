"""Reads. The public interface other apps use is the first three functions:

* :func:`user_is_verified` and :func:`users_verified` (certificates: an approved attempt valid at
  a moment, one query however many learners);
* :func:`verification_status_for` (Open edX's status strings, see
  :class:`~enrollment_tracks.verification.types.OpenEdxStatus`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, QuerySet

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.verification.models import (
    AttemptStatus,
    ReviewMode,
    ReviewSettings,
    VerificationAttempt,
)
from enrollment_tracks.verification.types import LearnerVerification, OpenEdxStatus

REVIEW_MODE_CACHE_KEY = "verification:review-mode:v1"
#: Chunk size when ``users_verified`` is given a plain iterable of ids.
ID_CHUNK = 5000


def _valid_at(at: dt.datetime) -> Q:
    """Approved by ``at`` and not yet expired at ``at`` (the status may already say expired)."""
    return Q(
        status__in=[AttemptStatus.APPROVED, AttemptStatus.EXPIRED],
        decided_at__lte=at,
        expires_at__gt=at,
    )


def user_is_verified(user_id: int, *, at: dt.datetime | None = None) -> bool:
    """An approved verification valid at ``at`` (default: now). One query."""
    moment = at or clock.now()
    return VerificationAttempt.objects.filter(_valid_at(moment), user_id=user_id).exists()


def users_verified(user_ids: Iterable[int], *, at: dt.datetime | None = None) -> set[int]:
    """The ids among ``user_ids`` with a verification valid at ``at`` (default: now).

    A queryset of ids (``.values("id")`` or ``values_list("id", flat=True)``) runs as one query
    with a subquery, whatever its size; any other iterable is read in chunks of ``ID_CHUNK``
    ids, one query per chunk.
    """
    moment = at or clock.now()
    valid = VerificationAttempt.objects.filter(_valid_at(moment))
    if isinstance(user_ids, QuerySet):
        return set(valid.filter(user_id__in=user_ids).values_list("user_id", flat=True).distinct())
    found: set[int] = set()
    ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        found.update(valid.filter(user_id__in=chunk).values_list("user_id", flat=True).distinct())
    return found


def verification_status_for(user_id: int, *, at: dt.datetime | None = None) -> str:
    """The learner's status as Open edX words it: ``none``, ``pending``, ``approved``,
    ``expired`` or ``must_reverify`` (see :class:`OpenEdxStatus`)."""
    return str(learner_verification(user_id, at=at).status)


def learner_verification(user_id: int, *, at: dt.datetime | None = None) -> LearnerVerification:
    """Status, the attempt it comes from, and whether a new attempt may be started. One query.

    Like Open edX, a valid approval wins over any later attempt; otherwise the latest attempt
    that was submitted decides (an attempt only created counts as none).
    """
    moment = at or clock.now()
    attempts = list(
        VerificationAttempt.objects.filter(user_id=user_id, created_at__lte=moment)
        .exclude(status=AttemptStatus.CREATED)
        .order_by("-created_at", "-id")
        .only("public_id", "status", "decided_at", "expires_at", "decision_reason", "created_at")
    )
    valid = [
        attempt
        for attempt in attempts
        if attempt.status in (AttemptStatus.APPROVED, AttemptStatus.EXPIRED)
        and attempt.decided_at is not None
        and attempt.decided_at <= moment
        and attempt.expires_at is not None
        and attempt.expires_at > moment
    ]
    if valid:
        best = max(valid, key=lambda attempt: attempt.expires_at or moment)
        soon = moment + dt.timedelta(days=settings.VERIFICATION_EXPIRING_SOON_DAYS)
        pending = any(attempt.status == AttemptStatus.SUBMITTED for attempt in attempts)
        return LearnerVerification(
            status=OpenEdxStatus.APPROVED,
            attempt_id=best.public_id,
            attempt_status=AttemptStatus.APPROVED,
            expires_at=best.expires_at,
            decision_reason="",
            can_verify=bool(best.expires_at and best.expires_at <= soon) and not pending,
        )
    if not attempts:
        return LearnerVerification(OpenEdxStatus.NONE, None, "", None, "", can_verify=True)
    latest = attempts[0]
    status = {
        AttemptStatus.SUBMITTED: OpenEdxStatus.PENDING,
        AttemptStatus.DENIED: OpenEdxStatus.MUST_REVERIFY,
        AttemptStatus.MUST_RETRY: OpenEdxStatus.MUST_REVERIFY,
        AttemptStatus.APPROVED: OpenEdxStatus.EXPIRED,
        AttemptStatus.EXPIRED: OpenEdxStatus.EXPIRED,
    }[AttemptStatus(latest.status)]
    return LearnerVerification(
        status=status,
        attempt_id=latest.public_id,
        attempt_status=latest.status,
        expires_at=latest.expires_at,
        decision_reason=latest.decision_reason,
        can_verify=status is not OpenEdxStatus.PENDING,
    )


def attempt_for_learner(*, user_id: int, public_id: uuid.UUID) -> VerificationAttempt:
    """The learner's own attempt; another learner's (or none) is :class:`NotFound`."""
    attempt = VerificationAttempt.objects.filter(user_id=user_id, public_id=public_id).first()
    if attempt is None:
        raise NotFound("No such verification attempt.", code="attempt_not_found")
    return attempt


def attempt_for_review(public_id: uuid.UUID) -> VerificationAttempt:
    attempt = (
        VerificationAttempt.objects.select_related("user", "decided_by")
        .prefetch_related("photos", "events__actor")
        .filter(public_id=public_id)
        .first()
    )
    if attempt is None:
        raise NotFound("No such verification attempt.", code="attempt_not_found")
    return attempt


def review_queue() -> QuerySet[VerificationAttempt]:
    """Submitted attempts whose photos still exist, oldest first."""
    return (
        VerificationAttempt.objects.filter(
            status=AttemptStatus.SUBMITTED, photos_deleted_at__isnull=True
        )
        .select_related("user")
        .order_by("submitted_at", "id")
    )


def review_mode_get() -> ReviewMode:
    """The site's review mode, cached like the site configuration."""
    cached = cache.get(REVIEW_MODE_CACHE_KEY)
    if cached in ReviewMode.values:
        return ReviewMode(cached)
    row, _ = ReviewSettings.objects.get_or_create(
        pk=ReviewSettings.SINGLETON_PK,
        defaults={"review_mode": settings.VERIFICATION_REVIEW_MODE},
    )
    cache.set(REVIEW_MODE_CACHE_KEY, row.review_mode, settings.SITE_CONFIGURATION_CACHE_SECONDS)
    return ReviewMode(row.review_mode)


def attempts_of_learner(user_id: int) -> list[VerificationAttempt]:
    """The learner's own attempts, newest first (what their status page lists)."""
    return list(
        VerificationAttempt.objects.filter(user_id=user_id).order_by("-created_at", "-id")[:20]
    )
