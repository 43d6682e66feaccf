"""Incoming webhooks: verified, stored (one row per provider event id), then processed from
the stored row by a background task. A replay finds the row and does nothing; effects key on
the order's state machine, so deliveries out of order are no-ops too."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models import Q

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import DomainError, NotFound
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce.models import EventStatus, Order, ProcessorEvent
from enrollment_tracks.ecommerce.processors import WebhookRejected, processor_get
from enrollment_tracks.ecommerce.refunds import refund_recorded_at_processor
from enrollment_tracks.ecommerce.services import order_fulfil, order_mark_failed, order_mark_paid
from enrollment_tracks.ecommerce.types import EventKind, WebhookEvent

logger = logging.getLogger(__name__)
RAW_BODY_LIMIT = 20_000


def webhook_receive(
    *, processor_name: str, body: bytes, headers: dict[str, str]
) -> tuple[ProcessorEvent, bool]:
    """Verify and store one delivery; ``(row, True)`` when it is new and queued.

    A rejected delivery (bad signature, stale timestamp, unknown event) is stored as
    rejected and ``WebhookRejected`` raised; nothing else changes.
    """
    processor = processor_get()
    if processor.name != processor_name:
        raise NotFound(
            f"This site takes payments through {processor.name}, not {processor_name}.",
            code="unknown_processor",
        )
    now = clock.now()
    try:
        event = processor.webhook_parse(body, headers)
    except WebhookRejected as error:
        ProcessorEvent.objects.create(
            processor=processor.name,
            event_id=None,
            status=EventStatus.REJECTED,
            raw_body=body[:RAW_BODY_LIMIT].decode("utf-8", "replace"),
            error=f"{error.code}: {error.message}"[:500],
            received_at=now,
        )
        raise
    from enrollment_tracks.ecommerce.tasks import processor_event_process

    with transaction.atomic():
        try:
            with transaction.atomic():
                row = ProcessorEvent.objects.create(
                    **_columns(processor.name, event), received_at=now
                )
        except IntegrityError:
            existing = ProcessorEvent.objects.get(processor=processor.name, event_id=event.event_id)
            return existing, False
        processor_event_process.enqueue(row.pk)
    return row, True


def _columns(processor: str, event: WebhookEvent) -> dict[str, object]:
    return {
        "processor": processor,
        "event_id": event.event_id,
        "event_type": event.event_type,
        "kind": event.kind.value,
        "status": EventStatus.RECEIVED,
        "order_number": event.order_number,
        "payment_reference": event.payment_reference,
        "amount": event.amount.amount if event.amount else None,
        "currency": event.amount.currency if event.amount else "",
        "payload": dict(event.payload),
    }


def _order_of(row: ProcessorEvent) -> Order | None:
    match = Q(number=row.order_number) if row.order_number else Q()
    if row.payment_reference:
        by_payment = Q(processor=row.processor, payment_reference=row.payment_reference)
        match = match | by_payment if row.order_number else by_payment
    if not match:
        return None
    return Order.objects.filter(match).select_related("user", "course").first()


def processor_event_process(event_pk: int) -> str:
    """Act on a stored event once; answers the row's final status.

    Payment succeeded: the order is paid (its capture recorded), then fulfilled. Payment
    failed: an unpaid order fails. Refunded: a paid order is refunded and the track taken
    back. Anything that does not apply to the order's state is marked ignored.
    """
    fulfil: int | None = None
    with transaction.atomic():
        row = ProcessorEvent.objects.select_for_update().get(pk=event_pk)
        if row.status != EventStatus.RECEIVED:
            return row.status
        order = _order_of(row)
        amount = Money(row.amount, row.currency) if row.amount is not None else None
        changed = False
        error = ""
        try:
            if order is None:
                error = "No order matches this event."
            elif row.kind == EventKind.PAYMENT_SUCCEEDED and amount is not None:
                changed = order_mark_paid(
                    order_id=order.pk, payment_reference=row.payment_reference, amount=amount
                )
                fulfil = order.pk
            elif row.kind == EventKind.PAYMENT_FAILED:
                changed = order_mark_failed(order_id=order.pk, message="The payment failed.")
            elif row.kind == EventKind.REFUNDED and amount is not None:
                changed = refund_recorded_at_processor(
                    order=order, reference=row.payment_reference, amount=amount
                )
        except DomainError as failure:
            error = failure.message
        row.status = EventStatus.PROCESSED if changed else EventStatus.IGNORED
        row.error = error[:500]
        row.processed_at = clock.now()
        row.save(update_fields=["status", "error", "processed_at"])
    if fulfil is not None:
        order_fulfil(order_id=fulfil)
    return row.status
