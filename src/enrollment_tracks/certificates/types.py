"""Frozen values the certificate services take and return."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from enrollment_tracks.certificates.eligibility import Verdict


class GradeOutcome(enum.StrEnum):
    """The result of one row of a grade upload (CSV or API)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    INVALID_GRADE = "invalid_grade"
    UNKNOWN_LEARNER = "unknown_learner"
    NOT_ENROLLED = "not_enrolled"
    DUPLICATE = "duplicate"
    MISSING_IDENTIFIER = "missing_identifier"


#: Outcomes that changed nothing because the row was wrong.
GRADE_ERRORS = frozenset(
    {
        GradeOutcome.INVALID_GRADE,
        GradeOutcome.UNKNOWN_LEARNER,
        GradeOutcome.NOT_ENROLLED,
        GradeOutcome.DUPLICATE,
        GradeOutcome.MISSING_IDENTIFIER,
    }
)


@dataclass(frozen=True, slots=True)
class GradeEntry:
    """One row as given: an identifier (username or email) and a grade as text."""

    line: int
    identifier: str
    grade: str


@dataclass(frozen=True, slots=True)
class GradeResult:
    line: int
    identifier: str
    grade: str
    outcome: GradeOutcome
    message: str
    username: str = ""
    percent: Decimal | None = None
    certificate_issued: bool = False

    @property
    def is_error(self) -> bool:
        return self.outcome in GRADE_ERRORS


@dataclass(frozen=True, slots=True)
class SignatoryInput:
    name: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfigurationInput:
    title: str
    description: str = ""
    organisation_name: str
    is_active: bool = False
    signatories: tuple[SignatoryInput, ...] = ()


@dataclass(frozen=True, slots=True)
class LearnerCertificate:
    """What a learner's dashboard shows about one course."""

    course_id: int
    verdict: Verdict
    verify_uuid: str | None
    is_valid: bool
    upgrade_track: str | None  # a track the course offers that would grant a certificate
    upgrade_track_name: str
    upgrade_needs_verification: bool = False
