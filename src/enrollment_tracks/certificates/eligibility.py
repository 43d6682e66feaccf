"""The one rule that decides a learner's certificate status (pure: no database, no clock).

Statuses are Open edX's (``CertificateStatuses``). The order of the checks is the contract:

1. an existing certificate decides: revoked → ``unavailable``, issued → ``downloadable``
   (a learner moved to audit, or whose grade fell, keeps it until staff revoke it);
2. no enrollment → ``unavailable``; on the block list → ``unavailable``;
3. a track the catalog does not know → ``error``;
4. a track that grants no certificate (audit) → ``audit_passing`` / ``audit_notpassing``;
5. not passing (grade below the cutoff, or none) and not on the allow list → ``notpassing``;
6. the track's certificate needs ID verification and the learner has none → ``unverified``;
7. the course's certificates are not configured and active → ``unavailable``;
8. a generation job for the course is under way → ``generating``;
9. otherwise → ``downloadable``: issue it.

The allow list skips the grade check only (Open edX's ``CertificateAllowlist``): the track and
ID verification checks still apply.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from enrollment_tracks.tracks import catalog


class Status(enum.StrEnum):
    DOWNLOADABLE = "downloadable"
    NOTPASSING = "notpassing"
    AUDIT_PASSING = "audit_passing"
    AUDIT_NOTPASSING = "audit_notpassing"
    UNVERIFIED = "unverified"
    GENERATING = "generating"
    ERROR = "error"
    UNAVAILABLE = "unavailable"


class ListEntry(enum.StrEnum):
    """A staff decision about one learner in one course."""

    ALLOW = "allow"
    BLOCK = "block"


class Existing(enum.StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"


@dataclass(frozen=True, slots=True, kw_only=True)
class LearnerFacts:
    track: str | None  # None: not enrolled
    grade: Decimal | None  # percent, 0-100; None: no grade yet
    passing_grade: Decimal  # percent
    verified: bool
    listed: ListEntry | None = None
    existing: Existing | None = None
    certificates_active: bool = True
    generation_running: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str  # a stable code, e.g. ``grade_below_cutoff``

    @property
    def issue(self) -> bool:
        """A certificate should be issued now."""
        return self.status is Status.DOWNLOADABLE and self.reason == "eligible"


def is_passing(grade: Decimal | None, passing_grade: Decimal) -> bool:
    return grade is not None and grade >= passing_grade


def certificate_status(facts: LearnerFacts) -> Verdict:
    """The learner's certificate status and why (see the module docstring for the order)."""
    if facts.existing is Existing.REVOKED:
        return Verdict(Status.UNAVAILABLE, "revoked")
    if facts.existing is Existing.ISSUED:
        return Verdict(Status.DOWNLOADABLE, "issued")
    if facts.track is None:
        return Verdict(Status.UNAVAILABLE, "not_enrolled")
    if facts.listed is ListEntry.BLOCK:
        return Verdict(Status.UNAVAILABLE, "blocklisted")
    if not catalog.is_known(facts.track):
        return Verdict(Status.ERROR, "unknown_track")
    passing = is_passing(facts.grade, facts.passing_grade)
    if not catalog.grants_certificate(facts.track):
        return Verdict(
            Status.AUDIT_PASSING if passing else Status.AUDIT_NOTPASSING, "no_cert_track"
        )
    if not passing and facts.listed is not ListEntry.ALLOW:
        return Verdict(Status.NOTPASSING, "grade_below_cutoff")
    if catalog.certificate_needs_verification(facts.track) and not facts.verified:
        return Verdict(Status.UNVERIFIED, "verification_missing")
    if not facts.certificates_active:
        return Verdict(Status.UNAVAILABLE, "not_configured")
    if facts.generation_running:
        return Verdict(Status.GENERATING, "generation_running")
    return Verdict(Status.DOWNLOADABLE, "eligible")


#: What each reason means, for pages and reports.
REASON_TEXT: dict[str, str] = {
    "revoked": "The certificate was revoked.",
    "issued": "Issued.",
    "not_enrolled": "Not enrolled in the course.",
    "blocklisted": "On the course's block list.",
    "unknown_track": "The enrollment's track is not in the track catalog.",
    "no_cert_track": "The learner's track grants no certificate.",
    "grade_below_cutoff": "No passing grade yet.",
    "verification_missing": "The track's certificate needs an approved ID verification.",
    "not_configured": "Certificates are not configured and active for this course.",
    "generation_running": "A certificate generation job is under way.",
    "eligible": "Eligible: the certificate will be issued.",
}
