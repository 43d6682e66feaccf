"""Open edX's ``students_update_enrollment`` results, computed from a job's items and results.

Pure functions: the API view reads the job with the selectors and renders what these return.
Source of the rules: Open edX ``lms/djangoapps/instructor/views/api.py`` (see the domain
reference, sections 7.2 and 7.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from enrollment_tracks.enrollments.models import Transition
from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import ItemKind, JobAction, JobItem, JobResult

INVALID_MESSAGE = "Invalid email address"
NOT_PROCESSED_MESSAGE = "The job stopped before this identifier was processed."
#: Outcomes Open edX reports as an invalid identifier: an unknown username is, for Open edX,
#: an email address that fails validation.
_INVALID = frozenset({o.INVALID_IDENTIFIER, o.UNKNOWN_USER})
_ERRORS = frozenset({o.ERROR, o.CANCELLED, o.TRACK_NOT_OFFERED})
DEFAULT_TRANSITION = "N/A"


def state_transition(action: str, before: Mapping[str, bool], after: Mapping[str, bool]) -> str:
    """Open edX's audit transition, derived from the before and after states as it does."""
    if action == JobAction.UNENROLL:
        if before["enrollment"]:
            return Transition.ENROLLED_TO_UNENROLLED
        if before["allowed"]:
            return Transition.ALLOWEDTOENROLL_TO_UNENROLLED
        return Transition.UNENROLLED_TO_UNENROLLED
    if before["user"]:
        if not after["enrollment"]:
            return DEFAULT_TRANSITION  # e.g. an inactive account that got an invitation
        if before["enrollment"]:
            return Transition.ENROLLED_TO_ENROLLED
        if before["allowed"]:
            return Transition.ALLOWEDTOENROLL_TO_ENROLLED
        return Transition.UNENROLLED_TO_ENROLLED
    return Transition.UNENROLLED_TO_ALLOWEDTOENROLL if after["allowed"] else DEFAULT_TRANSITION


def _state(result: JobResult, when: str) -> dict[str, bool]:
    return {
        name: bool(getattr(result, f"{when}_{name}"))
        for name in ("user", "enrollment", "allowed", "auto_enroll")
    }


def _general_error(identifier: str, message: str) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "error": True,
        "success": False,
        "error_type": "general_error",
        "error_message": message,
    }


def _one(action: str, item: JobItem, result: JobResult | None, job_error: str) -> dict[str, Any]:
    if result is None:
        return _general_error(item.identifier, job_error or NOT_PROCESSED_MESSAGE)
    if result.outcome in _INVALID:
        return {
            "identifier": item.identifier,
            "invalidIdentifier": True,
            "success": False,
            "error_type": "invalid_identifier",
            "error_message": INVALID_MESSAGE,
        }
    if result.outcome in _ERRORS:
        label = o.outcome_label(result.outcome, notify=False).rstrip(":")
        return _general_error(item.identifier, result.error or label)
    before, after = _state(result, "before"), _state(result, "after")
    return {
        "identifier": item.identifier,
        "before": before,
        "after": after,
        "success": True,
        "state_transition": state_transition(action, before, after),
    }


def openedx_results(
    *,
    action: str,
    items: Sequence[JobItem],
    results: Mapping[int, JobResult],
    job_error: str = "",
) -> list[dict[str, Any]]:
    """One Open edX result per identifier, in input order.

    Open edX processes an identifier given twice twice; a job collapses duplicates (and a
    learner named once by username and once by email) into the first occurrence. The
    duplicate's result here repeats the first occurrence's result, under its own identifier,
    so a client sees what it would have seen from Open edX once the first one had run.
    ``items`` must carry their ``user`` (the selector's ``select_related``).
    """
    first_at: dict[str, int] = {}
    for item in items:
        if item.kind == ItemKind.DUPLICATE:
            continue
        keys = {item.identifier.lower()}
        if item.user is not None:
            keys |= {item.user.username.lower(), item.user.email.lower()}
        for key in keys:
            first_at.setdefault(key, item.position)
    answered: dict[int, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    for item in items:
        if item.kind == ItemKind.DUPLICATE:
            first = answered.get(first_at.get(item.identifier.lower(), -1))
            entry = (
                {**first, "identifier": item.identifier}
                if first is not None
                else _general_error(item.identifier, job_error or NOT_PROCESSED_MESSAGE)
            )
        else:
            entry = _one(action, item, results.get(item.position), job_error)
            answered[item.position] = entry
        out.append(entry)
    return out
