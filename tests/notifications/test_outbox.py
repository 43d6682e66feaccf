"""The outbox's bookkeeping: interrupted sends, overdue messages, the flush task, requeue."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django_tasks_db.models import DBTaskResult

from enrollment_tracks.core import bulk, clock
from enrollment_tracks.notifications.models import OutboxContext, OutboxMessage, OutboxStatus
from enrollment_tracks.notifications.services import _claim as outbox_claim
from enrollment_tracks.notifications.services import (
    outbox_enqueue,
    outbox_enqueue_select,
    outbox_flush_overdue,
    outbox_park_interrupted,
    outbox_requeue,
    outbox_send_due,
)
from enrollment_tracks.notifications.tasks import outbox_flush
from enrollment_tracks.notifications.types import OutgoingMessage

pytestmark = pytest.mark.django_db


def _message(key: str, **fields) -> OutboxMessage:
    now = clock.now()
    defaults = {
        "to_email": f"{key}@example.org",
        "message_type": "enrolled_unenroll",
        "context": {"course_name": "Tracks 101", "platform_name": "Tracks"},
        "next_attempt_at": now,
        "created_at": now,
    }
    return OutboxMessage.objects.create(key=key, **{**defaults, **fields})


def _flush_tasks() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="outbox_flush"))


def test_enqueue_is_idempotent_per_key_and_queues_a_flush():
    message = OutgoingMessage(
        key="k:1", to_email="a@example.org", message_type="enrolled_unenroll", context={}
    )
    assert outbox_enqueue([message]) == 1
    outbox_enqueue([message])
    assert OutboxMessage.objects.count() == 1
    assert len(_flush_tasks()) == 2


def test_messages_queued_by_a_query_share_one_stored_context(mailoutbox):
    shared = {"course_name": "Tracks 101", "platform_name": "Tracks", "auto_enroll": False}
    own = ('\'{"course_name": "Own course", "full_name": "Ada"}\'', "'{}'")
    as_json = "CAST({} AS jsonb)" if bulk.is_postgres() else "json({})"
    rows = " UNION ALL ".join(
        f"SELECT {n} AS ord, 'shared:{n}' AS msg_key, 'l{n}@example.org' AS to_email, "
        f"'allowed_unenroll' AS message_type, {as_json.format(context)} AS context"
        for n, context in enumerate(own)
    )
    assert outbox_enqueue_select(rows, [], {"allowed_unenroll"}, shared=shared) == 2
    stored = OutboxContext.objects.get()
    assert stored.context == shared
    first, second = OutboxMessage.objects.order_by("key")
    assert (first.shared_context, second.shared_context) == (stored, stored)
    assert first.context == {"course_name": "Own course", "full_name": "Ada"}
    assert outbox_send_due().sent == 2
    bodies = {message.to[0]: message.body for message in mailoutbox}
    assert "Own course" in bodies["l0@example.org"]  # a message's own context wins
    assert "Tracks 101" in bodies["l1@example.org"]


def test_enqueue_refuses_an_unknown_message_type():
    with pytest.raises(ValueError, match="unknown message type"):
        outbox_enqueue([OutgoingMessage(key="k", to_email="a@example.org", message_type="spam")])


def test_only_sends_interrupted_long_ago_are_parked(settings):
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 600
    now = clock.now()
    dead = _message("dead", status=OutboxStatus.SENDING, claimed_at=now - dt.timedelta(minutes=11))
    live = _message("live", status=OutboxStatus.SENDING, claimed_at=now - dt.timedelta(minutes=1))
    pending = _message("pending")

    assert outbox_park_interrupted() == 1
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.PARKED
    assert "Delivery unknown" in dead.last_error
    assert OutboxMessage.objects.get(pk=live.pk).status == OutboxStatus.SENDING
    assert OutboxMessage.objects.get(pk=pending.pk).status == OutboxStatus.PENDING
    # The threshold can be given; a live worker's claim is still younger than it.
    assert outbox_park_interrupted(older_than=dt.timedelta(seconds=30)) == 1


def test_a_claimed_message_records_when():
    message = _message("claimed")
    moment = clock.now() + dt.timedelta(seconds=5)
    with clock.frozen_at(moment):
        [claimed] = outbox_claim(10)
    message.refresh_from_db()
    assert claimed.pk == message.pk
    assert (message.status, message.claimed_at) == (OutboxStatus.SENDING, moment)


def test_overdue_messages_get_a_flush_and_fresh_ones_do_not():
    _message("fresh")
    assert outbox_flush_overdue(older_than=dt.timedelta(minutes=2)) is False
    assert _flush_tasks() == []
    with clock.frozen_at(clock.now() + dt.timedelta(minutes=3)):
        assert outbox_flush_overdue(older_than=dt.timedelta(minutes=2)) is True
    assert len(_flush_tasks()) == 1


def test_the_flush_task_comes_back_when_a_retry_is_due(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    with socket.socket() as probe:  # a port nobody listens on: the server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    _message("retry")
    moment = clock.now()
    with clock.frozen_at(moment):
        assert outbox_flush.call() == {"sent": 0, "retried": 1, "parked": 0}
    [task] = _flush_tasks()
    assert task.run_after == OutboxMessage.objects.get().next_attempt_at
    assert task.run_after == moment + dt.timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS)


def test_a_template_error_parks_only_that_message(settings, mailoutbox):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    _message("broken", message_type="no_such_template")
    _message("fine")
    report = outbox_send_due()
    assert (report.sent, report.parked) == (1, 1)
    assert [message.to for message in mailoutbox] == [["fine@example.org"]]
    broken = OutboxMessage.objects.get(key="broken")
    assert broken.status == OutboxStatus.PARKED
    assert "TemplateDoesNotExist" in broken.last_error


def test_requeue_takes_parked_messages_only():
    parked = _message("parked", status=OutboxStatus.PARKED, attempts=8, last_error="550")
    sent = _message("sent", status=OutboxStatus.SENT)
    assert outbox_requeue([parked.pk, sent.pk]) == 1
    parked.refresh_from_db()
    assert (parked.status, parked.attempts) == (OutboxStatus.PENDING, 0)
    assert OutboxMessage.objects.get(pk=sent.pk).status == OutboxStatus.SENT
