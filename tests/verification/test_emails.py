"""The four emails, through the notifications outbox, each sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from enrollment_tracks.core import clock
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.notifications.services import outbox_send_due
from enrollment_tracks.verification.housekeeping import expiry_reminders_send
from enrollment_tracks.verification.services import attempt_decide
from tests.factories import UserFactory
from tests.verification.conftest import NOW, submit

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _memory_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def sent() -> list:
    outbox_send_due()
    return list(mail.outbox)


def test_automatic_mode_sends_one_approval_that_says_nothing_was_compared():
    learner = UserFactory(email="jane@example.org")
    submit(learner)
    (message,) = sent()
    assert message.to == ["jane@example.org"]
    assert message.subject == "Your Enrollment Tracks ID verification is approved"
    assert "nobody compared your face photo with your ID photo" in message.body
    assert "1 October 2027" in message.body


def test_manual_mode_sends_submitted_then_the_decision(manual_mode, reviewer):
    learner = UserFactory()
    result = submit(learner)
    (received,) = sent()
    assert received.subject == "We received your Enrollment Tracks ID verification photos"
    attempt_decide(
        public_id=result.attempt_id, actor=reviewer, decision="deny", reason="The ID is unreadable."
    )
    denied = sent()[-1]
    assert denied.subject == "Your Enrollment Tracks ID verification was denied"
    assert "Reason: The ID is unreadable." in denied.body
    assert "/verify/" in denied.body


def test_must_retry_asks_for_new_photos(manual_mode, reviewer):
    result = submit(UserFactory())
    attempt_decide(
        public_id=result.attempt_id, actor=reviewer, decision="retry", reason="Too dark."
    )
    retry = sent()[-1]
    assert retry.subject == "New photos needed for your Enrollment Tracks ID verification"
    assert "Too dark." in retry.body


def test_manual_approval_email_does_not_claim_automatic_review(manual_mode, reviewer):
    result = submit(UserFactory())
    attempt_decide(public_id=result.attempt_id, actor=reviewer, decision="approve")
    approved = sent()[-1]
    assert approved.subject.endswith("is approved")
    assert "nobody compared" not in approved.body


def test_the_expiry_reminder_goes_30_days_before_and_only_once():
    learners = UserFactory.create_batch(3)
    for learner in learners:
        submit(learner)
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    with clock.frozen_at(NOW + 334 * DAY):
        assert expiry_reminders_send() == 0
    with clock.frozen_at(NOW + 336 * DAY):
        assert expiry_reminders_send(chunk=2) == 3
        assert expiry_reminders_send() == 0
        messages = sent()
    assert len(messages) == 3
    assert {m.subject for m in messages} == {
        "Your Enrollment Tracks ID verification expires on 01 October 2027"
    }


def test_no_reminder_when_the_learner_already_verified_again():
    learner = UserFactory()
    submit(learner)
    with clock.frozen_at(NOW + 340 * DAY):
        submit(learner)  # within the last 30 days: a new approval, valid for another year
        assert expiry_reminders_send() == 0
