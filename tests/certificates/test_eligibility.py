"""The eligibility rule as a truth table: track, ID verification, grade, allow/block list."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enrollment_tracks.certificates.eligibility import (
    Existing,
    LearnerFacts,
    ListEntry,
    Status,
    certificate_status,
)

CUTOFF = Decimal(60)
PASS, FAIL = Decimal(75), Decimal(40)
NONE, ALLOW, BLOCK = None, ListEntry.ALLOW, ListEntry.BLOCK
D, NP, AP, ANP, UV, UA = (
    Status.DOWNLOADABLE,
    Status.NOTPASSING,
    Status.AUDIT_PASSING,
    Status.AUDIT_NOTPASSING,
    Status.UNVERIFIED,
    Status.UNAVAILABLE,
)

# (track, verified, grade) → expected status for (no list entry, allow list, block list)
TABLE: list[tuple[str, bool, Decimal, tuple[Status, Status, Status]]] = [
    ("audit", False, PASS, (AP, AP, UA)),
    ("audit", False, FAIL, (ANP, ANP, UA)),
    ("audit", True, PASS, (AP, AP, UA)),
    ("audit", True, FAIL, (ANP, ANP, UA)),
    ("honor", False, PASS, (D, D, UA)),
    ("honor", False, FAIL, (NP, D, UA)),
    ("honor", True, PASS, (D, D, UA)),
    ("honor", True, FAIL, (NP, D, UA)),
    ("no-id-professional", False, PASS, (D, D, UA)),
    ("no-id-professional", False, FAIL, (NP, D, UA)),
    ("no-id-professional", True, PASS, (D, D, UA)),
    ("no-id-professional", True, FAIL, (NP, D, UA)),
    ("verified", False, PASS, (UV, UV, UA)),
    ("verified", False, FAIL, (NP, UV, UA)),
    ("verified", True, PASS, (D, D, UA)),
    ("verified", True, FAIL, (NP, D, UA)),
    ("professional", False, PASS, (UV, UV, UA)),
    ("professional", False, FAIL, (NP, UV, UA)),
    ("professional", True, PASS, (D, D, UA)),
    ("professional", True, FAIL, (NP, D, UA)),
]


def _case_id(track: str, verified: bool, grade: Decimal, listed: ListEntry | None) -> str:
    idv = "idv" if verified else "noidv"
    result = "pass" if grade == PASS else "fail"
    return f"{track}-{idv}-{result}-{listed or 'unlisted'}"


CASES = [
    pytest.param(
        track, verified, grade, listed, expected[i], id=_case_id(track, verified, grade, listed)
    )
    for track, verified, grade, expected in TABLE
    for i, listed in enumerate((NONE, ALLOW, BLOCK))
]


@pytest.mark.parametrize(("track", "verified", "grade", "listed", "expected"), CASES)
def test_truth_table(track, verified, grade, listed, expected):
    facts = LearnerFacts(
        track=track, grade=grade, passing_grade=CUTOFF, verified=verified, listed=listed
    )
    verdict = certificate_status(facts)
    assert verdict.status is expected
    assert verdict.issue is (expected is Status.DOWNLOADABLE)


def facts(**changes) -> LearnerFacts:
    base = {"track": "honor", "grade": PASS, "passing_grade": CUTOFF, "verified": False}
    return LearnerFacts(**{**base, **changes})


def test_the_cutoff_itself_passes_and_no_grade_does_not():
    assert certificate_status(facts(grade=CUTOFF)).status is D
    assert certificate_status(facts(grade=CUTOFF - Decimal("0.01"))).status is NP
    assert certificate_status(facts(grade=None)).status is NP


def test_an_issued_certificate_stays_downloadable_whatever_changed():
    # Moved to audit, failing, blocked: it stays until staff revoke it.
    verdict = certificate_status(
        facts(track="audit", grade=FAIL, listed=BLOCK, existing=Existing.ISSUED)
    )
    assert (verdict.status, verdict.reason, verdict.issue) == (D, "issued", False)


def test_a_revoked_certificate_is_unavailable_and_never_reissued():
    verdict = certificate_status(facts(existing=Existing.REVOKED, listed=ALLOW))
    assert (verdict.status, verdict.reason, verdict.issue) == (UA, "revoked", False)


def test_not_enrolled_is_unavailable():
    assert certificate_status(facts(track=None)).reason == "not_enrolled"


def test_a_track_unknown_to_the_catalog_is_an_error():
    verdict = certificate_status(facts(track="mystery"))
    assert (verdict.status, verdict.reason) == (Status.ERROR, "unknown_track")


def test_eligible_but_certificates_not_active_is_unavailable():
    verdict = certificate_status(facts(certificates_active=False))
    assert (verdict.status, verdict.reason, verdict.issue) == (UA, "not_configured", False)


def test_eligible_while_a_generation_job_runs_is_generating():
    verdict = certificate_status(facts(generation_running=True))
    assert (verdict.status, verdict.issue) == (Status.GENERATING, False)


@pytest.mark.parametrize(
    ("slug", "needs"),
    [
        ("audit", False),
        ("honor", False),
        ("no-id-professional", False),
        ("unpaid-bootcamp", False),
        ("verified", True),
        ("professional", True),
        ("credit", True),
        ("masters", True),
        ("paid-bootcamp", True),
        ("unknown-track", False),
    ],
)
def test_catalog_says_which_certificates_need_id_verification(slug, needs):
    from enrollment_tracks.tracks import catalog

    assert catalog.certificate_needs_verification(slug) is needs
