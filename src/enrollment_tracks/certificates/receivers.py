"""Reactions to enrollment changes and approved ID verifications: a learner moved to a granting
track, or newly verified, gets the certificates they are now eligible for. Moving to audit never
revokes one (Open edX neither)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from enrollment_tracks.certificates.verification_status import verification_installed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments import events
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.tracks.catalog import (
    CATALOG,
    certificate_needs_verification,
    grants_certificate,
)

logger = logging.getLogger(__name__)


@receiver(events.learners_changed, sender=events.LearnersChanged, dispatch_uid="certificates")
def issue_on_enrollment_change(
    sender: type,
    course_key: str,
    user_ids: tuple[int, ...],
    tracks: tuple[str, ...],
    **kwargs: Any,
) -> None:
    from enrollment_tracks.certificates.services import certificates_issue

    # Only learners now on a granting track can be due a certificate: no query for the others.
    granting = [u for u, track in zip(user_ids, tracks, strict=True) if grants_certificate(track)]
    if not granting:
        return
    course = CourseRun.objects.filter(key=course_key).first()
    if course is None:
        return
    try:
        certificates_issue(course=course, user_ids=granting, reason="track changed")
    except Exception:
        # The enrollment change has committed; the "generate certificates" job catches up.
        logger.exception("issuing certificates after an enrollment change in %s", course_key)


def issue_on_verification_approved(sender: type, user_id: int, **kwargs: Any) -> None:
    """The learner's active enrollments on tracks whose certificate waited for the verification."""
    from enrollment_tracks.certificates.services import certificates_issue

    waiting = [slug for slug in CATALOG if certificate_needs_verification(slug)]
    courses = CourseRun.objects.filter(
        pk__in=Enrollment.objects.filter(user_id=user_id, is_active=True, track__in=waiting).values(
            "course_id"
        )
    )
    for course in courses:  # one learner's few courses
        try:
            certificates_issue(course=course, user_ids=[user_id], reason="ID verified")
        except Exception:
            # The approval has committed; the "generate certificates" job catches up.
            logger.exception("issuing certificates after a verification in %s", course.key)


if verification_installed():
    from enrollment_tracks.verification.events import VerificationApproved, verification_approved

    verification_approved.connect(
        issue_on_verification_approved, sender=VerificationApproved, dispatch_uid="certificates"
    )
