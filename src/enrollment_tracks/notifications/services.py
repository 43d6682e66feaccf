"""The outbox: enqueue in the producer's transaction, send from the worker with retries."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string

from enrollment_tracks.core import bulk, clock
from enrollment_tracks.notifications.models import OutboxContext, OutboxMessage, OutboxStatus
from enrollment_tracks.notifications.types import OutgoingMessage

logger = logging.getLogger(__name__)
OUTBOX_TABLE = OutboxMessage._meta.db_table

MESSAGE_TYPES = frozenset(
    {"enrolled_enroll", "allowed_enroll", "enrolled_unenroll", "allowed_unenroll", "track_changed"}
    | {
        "verification_submitted",
        "verification_approved",
        "verification_denied",
        "verification_expiring",
    }
    | {"order_receipt", "order_refunded"}
)


def outbox_enqueue(messages: Iterable[OutgoingMessage], *, batch_size: int = 5000) -> int:
    """Queue messages in the caller's transaction; a key already queued is ignored.

    The flush task is enqueued in the same transaction, so messages and the task to send them
    commit together. Returns how many messages were offered. The rows go in through the
    database's bulk path (COPY on PostgreSQL): a job queues thousands per chunk.
    """
    now = clock.now()
    rows = [
        [
            message.key,
            message.to_email,
            message.message_type,
            message.context,
            OutboxStatus.PENDING.value,
            0,
            now,
            "",
            now,
        ]
        for message in messages
    ]
    for row in rows:
        if row[2] not in MESSAGE_TYPES:
            raise ValueError(f"unknown message type {row[2]!r}")
    if not rows:
        return 0
    for start in range(0, len(rows), batch_size):
        bulk.insert_rows(
            OUTBOX_TABLE,
            [
                "key",
                "to_email",
                "message_type",
                "context",
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
                "created_at",
            ],
            rows[start : start + batch_size],
            ignore_conflicts=True,
        )
    from enrollment_tracks.notifications.tasks import outbox_flush

    outbox_flush.enqueue()
    return len(rows)


def outbox_enqueue_select(
    select_sql: str,
    params: Sequence[Any],
    message_types: set[str],
    *,
    shared: dict[str, Any] | None = None,
) -> int:
    """Queue the messages a query builds inside the database, in the caller's transaction.

    ``select_sql`` returns the columns ``ord, msg_key, to_email, message_type, context`` (the
    context as the backend's JSON), one row a message, inserted in ``ord`` order; a key already
    queued is ignored, as with `outbox_enqueue`. ``message_types`` are the types it can return.
    ``shared`` is the part of the context every message has: stored once (`OutboxContext`),
    each message's own ``context`` updates it. A batch job queues thousands of messages a
    chunk: nothing crosses into Python and back. Returns the number of rows inserted (``-1``
    when the backend does not say).
    """
    unknown = set(message_types) - MESSAGE_TYPES
    if unknown:
        raise ValueError(f"unknown message type {sorted(unknown)!r}")
    now = clock.now()
    postgres = bulk.is_postgres()
    shared_id = (
        OutboxContext.objects.create(context=shared, created_at=now).pk
        if shared is not None
        else None
    )

    def insert(verb: str, conflict: str) -> int:
        return bulk.execute(
            f"{verb} INTO {OUTBOX_TABLE} "  # noqa: S608
            '("key", to_email, message_type, context, shared_context_id, status, attempts, '
            "next_attempt_at, last_error, created_at) "
            f"SELECT q.msg_key, q.to_email, q.message_type, q.context, %s, %s, 0, %s, '', %s "
            f"FROM ({select_sql}) q ORDER BY q.ord{conflict}",
            [shared_id, OutboxStatus.PENDING.value, now, now, *params],
        )

    if postgres:
        # A plain INSERT in a savepoint first: ON CONFLICT's speculative insertion costs more
        # a row, and a key already queued is the exception (a retried chunk).
        from psycopg import errors

        try:
            with transaction.atomic():
                inserted = insert("INSERT", "")
        except errors.UniqueViolation:
            inserted = insert("INSERT", ' ON CONFLICT ("key") DO NOTHING')
    else:
        inserted = insert("INSERT OR IGNORE", "")
    from enrollment_tracks.notifications.tasks import outbox_flush

    outbox_flush.enqueue()
    return inserted


def render(message: OutboxMessage) -> mail.EmailMultiAlternatives:
    base = f"notifications/{message.message_type}"
    shared = message.shared_context.context if message.shared_context is not None else {}
    context = {**shared, **message.context, "to_email": message.to_email}
    subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
    text = render_to_string(f"{base}/body.txt", context)
    html = render_to_string(f"{base}/body.html", context)
    email = mail.EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=[message.to_email]
    )
    email.attach_alternative(html, "text/html")
    return email


def _backoff(attempts: int) -> dt.timedelta:
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return dt.timedelta(seconds=min(base * (2 ** max(attempts - 1, 0)), 3600))


def _claim(limit: int) -> list[OutboxMessage]:
    """Mark up to ``limit`` due messages as sending, committed before any is sent."""
    now = clock.now()
    with transaction.atomic():
        due = OutboxMessage.objects.filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        ).select_related("shared_context")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due.order_by("next_attempt_at", "id")[:limit])
        OutboxMessage.objects.filter(pk__in=[row.pk for row in claimed]).update(
            status=OutboxStatus.SENDING, claimed_at=now
        )
    return claimed


@dataclass(frozen=True, slots=True)
class FlushReport:
    sent: int
    retried: int
    parked: int
    next_due: dt.datetime | None


def outbox_park_interrupted(*, older_than: dt.timedelta | None = None) -> int:
    """Park messages a dead worker left "sending": they may or may not have left, and sending
    them again could deliver twice. An operator can requeue them from the admin.

    Only claims older than ``older_than`` (default ``OUTBOX_SENDING_TIMEOUT_SECONDS``) count, so
    the messages a live worker is sending right now are left alone.
    """
    limit = older_than or dt.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    return OutboxMessage.objects.filter(
        Q(claimed_at__lt=clock.now() - limit) | Q(claimed_at__isnull=True),
        status=OutboxStatus.SENDING,
    ).update(
        status=OutboxStatus.PARKED,
        last_error="Delivery unknown: the worker stopped while sending. Requeue to send again.",
    )


def outbox_flush_overdue(*, older_than: dt.timedelta) -> bool:
    """Queue a flush if a message has waited more than ``older_than`` past its due time.

    Every enqueue queues its own flush, and a flush that meets failures queues the next one;
    this catches what a killed worker lost (its flush, or the retry it had not yet queued).
    """
    overdue = OutboxMessage.objects.filter(
        status=OutboxStatus.PENDING, next_attempt_at__lt=clock.now() - older_than
    ).exists()
    if overdue:
        from enrollment_tracks.notifications.tasks import outbox_flush

        outbox_flush.enqueue()
    return overdue


def outbox_send_due(*, batch: int = 50, max_messages: int | None = None) -> FlushReport:
    """Send due messages over one connection per batch; retry failures with backoff.

    When the server cannot be reached, the batch counts an attempt and the round stops there:
    the other due messages wait for the next round instead of each paying a connection
    timeout (``next_due`` says when to come back).
    """
    sent = retried = parked = 0
    handled = 0
    unreachable = False
    while max_messages is None or handled < max_messages:
        claimed = _claim(batch if max_messages is None else min(batch, max_messages - handled))
        if not claimed:
            break
        handled += len(claimed)
        try:
            connection_ = mail.get_connection()
            connection_.open()
        except Exception as error:
            for row in claimed:
                parked_now = _failed(row, error)
                parked += int(parked_now)
                retried += int(not parked_now)
            unreachable = True
            break
        try:
            for row in claimed:
                try:
                    email = render(row)
                    email.connection = connection_
                    email.send()
                except Exception as error:
                    parked_now = _failed(row, error)
                    parked += int(parked_now)
                    retried += int(not parked_now)
                else:
                    OutboxMessage.objects.filter(pk=row.pk).update(
                        status=OutboxStatus.SENT, sent_at=clock.now(), attempts=row.attempts + 1
                    )
                    sent += 1
        finally:
            try:
                connection_.close()
            except Exception:
                logger.warning("closing the SMTP connection failed", exc_info=True)
    next_due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if unreachable and next_due is not None:
        next_due = max(next_due, clock.now() + _backoff(1))
    return FlushReport(sent=sent, retried=retried, parked=parked, next_due=next_due)


def _failed(row: OutboxMessage, error: BaseException) -> bool:
    attempts = row.attempts + 1
    give_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    OutboxMessage.objects.filter(pk=row.pk).update(
        status=OutboxStatus.PARKED if give_up else OutboxStatus.PENDING,
        attempts=attempts,
        next_attempt_at=clock.now() + _backoff(attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    logger.warning("email %s to %s failed (attempt %s): %s", row.key, row.to_email, attempts, error)
    return give_up


def outbox_requeue(message_ids: Iterable[int]) -> int:
    """Send parked messages again (operators, from the admin)."""
    return OutboxMessage.objects.filter(
        pk__in=list(message_ids), status=OutboxStatus.PARKED
    ).update(status=OutboxStatus.PENDING, next_attempt_at=clock.now(), attempts=0)
