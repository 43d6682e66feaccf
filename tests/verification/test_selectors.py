"""The public interface the certificates app uses, and the Open edX status strings."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.verification.selectors import (
    user_is_verified,
    users_verified,
    verification_status_for,
)
from enrollment_tracks.verification.services import attempt_decide
from tests.factories import UserFactory
from tests.verification.conftest import NOW, submit

DAY = dt.timedelta(days=1)


def test_approved_is_verified_for_365_days_then_expired():
    learner = UserFactory()
    submit(learner)
    assert user_is_verified(learner.pk)
    assert verification_status_for(learner.pk) == "approved"
    assert user_is_verified(learner.pk, at=NOW + 364 * DAY)
    assert not user_is_verified(learner.pk, at=NOW + 365 * DAY)
    assert verification_status_for(learner.pk, at=NOW + 366 * DAY) == "expired"
    assert not user_is_verified(learner.pk, at=NOW - DAY)  # not yet approved back then
    assert verification_status_for(learner.pk, at=NOW - DAY) == "none"


def test_status_strings_follow_open_edx(manual_mode, reviewer):
    nobody, pending, denied, retry = UserFactory.create_batch(4)
    assert verification_status_for(nobody.pk) == "none"
    submit(pending)
    assert verification_status_for(pending.pk) == "pending"
    for learner, decision in ((denied, "deny"), (retry, "retry")):
        result = submit(learner)
        attempt_decide(public_id=result.attempt_id, actor=reviewer, decision=decision, reason="No")
        assert verification_status_for(learner.pk) == "must_reverify"
    assert not any(user_is_verified(u.pk) for u in (nobody, pending, denied, retry))


def test_a_valid_approval_wins_over_a_later_pending_attempt(manual_mode, reviewer):
    learner = UserFactory()
    first = submit(learner)
    attempt_decide(public_id=first.attempt_id, actor=reviewer, decision="approve")
    with clock.frozen_at(NOW + 340 * DAY):  # within 30 days of expiry: may verify again
        submit(learner)
        assert verification_status_for(learner.pk) == "approved"
        assert user_is_verified(learner.pk)


def test_users_verified_is_one_query_for_a_queryset_of_ids():
    verified = UserFactory.create_batch(3)
    others = UserFactory.create_batch(3)
    for learner in verified:
        submit(learner)
    ids = User.objects.filter(pk__in=[u.pk for u in verified + others]).values_list("id", flat=True)
    with CaptureQueriesContext(connection) as queries:
        found = users_verified(ids)
    assert found == {u.pk for u in verified}
    assert len(queries) == 1


def test_users_verified_chunks_a_plain_list(monkeypatch):
    from enrollment_tracks.verification import selectors

    monkeypatch.setattr(selectors, "ID_CHUNK", 2)
    learners = UserFactory.create_batch(5)
    for learner in learners[::2]:
        submit(learner)
    ids = [u.pk for u in learners] + [learners[0].pk]
    with CaptureQueriesContext(connection) as queries:
        found = users_verified(iter(ids))
    assert found == {learners[0].pk, learners[2].pk, learners[4].pk}
    assert len(queries) == 3
    assert users_verified([], at=NOW) == set()
    assert users_verified([u.pk for u in learners], at=NOW + 400 * DAY) == set()
