"""The transition table, as a truth table, and its audit trail."""

from __future__ import annotations

import itertools

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.verification.models import (
    TRANSITIONS,
    AttemptEvent,
    AttemptStatus,
    EventKind,
    VerificationAttempt,
)
from enrollment_tracks.verification.services import _transition, attempt_decide
from tests.factories import UserFactory
from tests.verification.conftest import NOW, submit

S = AttemptStatus
ALLOWED = {
    (S.CREATED, S.SUBMITTED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.DENIED),
    (S.SUBMITTED, S.MUST_RETRY),
    (S.APPROVED, S.EXPIRED),
}


def test_the_table_is_exactly_the_documented_one():
    table = {(source, target) for source, targets in TRANSITIONS.items() for target in targets}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(AttemptStatus)


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(AttemptStatus, AttemptStatus))
)
def test_the_guard_follows_the_table(source, target):
    attempt = VerificationAttempt(
        user=UserFactory(),
        status=source,
        submission_key="k",
        review_mode="manual",
        created_at=NOW,
        updated_at=NOW,
        expires_at=NOW,
    )
    attempt.save()
    if (source, target) in ALLOWED:
        _transition(attempt, target, actor=None, now=NOW)
        assert attempt.status == target
        event = AttemptEvent.objects.get(attempt=attempt)
        assert (event.kind, event.from_status, event.to_status) == (
            EventKind.TRANSITION,
            source,
            target,
        )
    else:
        with pytest.raises(Conflict) as error:
            _transition(attempt, target, actor=None, now=NOW)
        assert error.value.code == "invalid_transition"
        assert not AttemptEvent.objects.filter(attempt=attempt).exists()


def test_automatic_mode_approves_on_submit_and_audits_every_step():
    learner = UserFactory()
    result = submit(learner)
    attempt = VerificationAttempt.objects.get(public_id=result.attempt_id)
    assert attempt.status == S.APPROVED
    assert attempt.review_mode == "automatic"
    assert "not compared" in attempt.decision_reason
    assert attempt.decided_by is None
    steps = list(attempt.events.values_list("from_status", "to_status", "actor_id"))
    assert steps == [
        ("", "created", learner.pk),
        ("created", "submitted", learner.pk),
        ("submitted", "approved", None),
    ]


def test_manual_mode_waits_then_the_reviewer_decides(manual_mode, reviewer):
    result = submit(UserFactory())
    assert result.status == S.SUBMITTED
    attempt = attempt_decide(public_id=result.attempt_id, actor=reviewer, decision="approve")
    assert attempt.status == S.APPROVED
    assert attempt.decided_by == reviewer
    last = attempt.events.last()
    assert (last.from_status, last.to_status, last.actor) == ("submitted", "approved", reviewer)
    with pytest.raises(Conflict):  # the first decision wins
        attempt_decide(public_id=result.attempt_id, actor=reviewer, decision="deny", reason="late")


@pytest.mark.parametrize("decision", ["deny", "retry"])
def test_deny_and_retry_need_a_reason(manual_mode, reviewer, decision):
    result = submit(UserFactory())
    with pytest.raises(ValidationFailed) as error:
        attempt_decide(public_id=result.attempt_id, actor=reviewer, decision=decision, reason="  ")
    assert (error.value.code, error.value.field) == ("reason_required", "reason")
    attempt = attempt_decide(
        public_id=result.attempt_id, actor=reviewer, decision=decision, reason="Blurry ID"
    )
    assert attempt.status == {"deny": S.DENIED, "retry": S.MUST_RETRY}[decision]
    assert attempt.decision_reason == "Blurry ID"


@pytest.mark.parametrize("decision", ["deny", "retry"])
def test_a_learner_may_resubmit_after_denied_or_must_retry(manual_mode, reviewer, decision):
    learner = UserFactory()
    first = submit(learner)
    attempt_decide(public_id=first.attempt_id, actor=reviewer, decision=decision, reason="Blurry")
    second = submit(learner)
    assert second.created
    assert second.attempt_id != first.attempt_id


def test_a_verified_learner_cannot_resubmit_until_expiry_is_near():
    learner = UserFactory()
    submit(learner)
    with pytest.raises(Conflict) as error:
        submit(learner)
    assert error.value.code == "already_verified"
