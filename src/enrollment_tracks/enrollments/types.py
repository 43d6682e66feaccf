from __future__ import annotations

from dataclasses import dataclass

from enrollment_tracks.enrollments.models import Enrollment


@dataclass(frozen=True, slots=True)
class EnrollmentResult:
    """What an enrollment write did: ``changed`` is false when it was already so."""

    enrollment: Enrollment
    created: bool
    changed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeInput:
    """One enrollment attribute to store (Open edX's ``{namespace, name, value}``)."""

    namespace: str
    name: str
    value: str
