"""Refunds: who may refund which order, and the refund itself (through the processor).

A learner may refund their own order within ``REFUND_WINDOW_DAYS`` of the later of payment
and course start, unless a certificate was issued; staff may refund any paid order, with a
reason. The refund row (with its idempotency key) is committed before the processor is
called, so a retry reuses the key; the order, the ledger and the enrollment move together
once the processor has agreed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, NotFound, ValidationFailed
from enrollment_tracks.core.money import Money
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.ecommerce import adapters
from enrollment_tracks.ecommerce.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    Refund,
    RefundStatus,
)
from enrollment_tracks.ecommerce.processors import processor_get
from enrollment_tracks.ecommerce.services import FREE_PROCESSOR, order_reason
from enrollment_tracks.ecommerce.states import HOLDING, OrderStatus, order_transition
from enrollment_tracks.ecommerce.types import RefundRequest
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_change_track, enrollment_unenroll
from enrollment_tracks.notifications.services import outbox_enqueue
from enrollment_tracks.notifications.types import OutgoingMessage
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track


def refund_deadline(order: Order) -> dt.datetime | None:
    """The end of the learner's refund window: the later of payment and course start, plus
    ``REFUND_WINDOW_DAYS`` (Open edX's rule)."""
    if order.paid_at is None:
        return None
    start = max(order.paid_at, order.course.start) if order.course.start else order.paid_at
    return start + dt.timedelta(days=settings.REFUND_WINDOW_DAYS)


def learner_refund_refusal(order: Order, *, now: dt.datetime) -> str | None:
    """Why the learner may not refund this order themselves, or ``None`` when they may."""
    if order.status == OrderStatus.REFUNDED:
        return f"Order {order.number} was already refunded."
    if order.status not in HOLDING:
        return (
            f"Order {order.number} is {OrderStatus(order.status).label.lower()}: nothing to refund."
        )
    deadline = refund_deadline(order)
    if deadline is not None and now > deadline:
        return (
            f"The refund window of {settings.REFUND_WINDOW_DAYS} days closed on "
            f"{deadline:%d %B %Y}. Contact the course team."
        )
    if adapters.certificate_issued(order.user_id, order.course_id):
        return "A certificate was issued for this course: the order can no longer be refunded."
    return None


def _refusal(order: Order, *, actor: User, by_staff: bool, reason: str) -> None:
    if order.status == OrderStatus.REFUNDED:
        raise Conflict(f"Order {order.number} was already refunded.", code="already_refunded")
    if by_staff:
        if order.status not in HOLDING:
            raise Conflict(
                f"Order {order.number} is {OrderStatus(order.status).label.lower()}: nothing "
                "to refund.",
                code="not_refundable",
            )
        if not reason.strip():
            raise ValidationFailed(
                "Give a reason for the refund; it goes into the order's history and the "
                "enrollment audit trail.",
                code="reason_required",
                field="reason",
            )
        return
    if order.user_id != actor.pk:
        raise NotFound("No such order.", code="order_not_found")
    refusal = learner_refund_refusal(order, now=clock.now())
    if refusal:
        code = "refund_window_closed" if "window" in refusal else "not_refundable"
        raise ValidationFailed(refusal, code=code)


def order_refund(*, order: Order, actor: User, reason: str = "", by_staff: bool) -> Refund:
    """Refund the order through its processor and take the paid track back.

    ``by_staff``: the caller checked that ``actor`` may manage the order's course. Refunding
    an order twice is refused (``already_refunded``); a refund the processor refused leaves
    the order as it was (``refund_failed``) and may be tried again with the same key.
    """
    now = clock.now()
    with transaction.atomic():
        locked = (
            Order.objects.select_for_update(of=("self",)).select_related("course").get(pk=order.pk)
        )
        _refusal(locked, actor=actor, by_staff=by_staff, reason=reason)
        refund = Refund.objects.filter(order=locked, status=RefundStatus.REQUESTED).first()
        if refund is None:
            attempt = Refund.objects.filter(order=locked).count() + 1
            refund = Refund.objects.create(
                order=locked,
                status=RefundStatus.REQUESTED,
                amount=locked.total,
                reason=reason.strip() or "Refund requested by the learner.",
                actor=actor,
                idempotency_key=f"refund:{locked.number}:{attempt}",
                created_at=now,
                updated_at=now,
            )
    if locked.total > 0 and locked.processor != FREE_PROCESSOR:
        outcome = processor_get().refund(
            RefundRequest(
                order_number=locked.number,
                payment_reference=locked.payment_reference,
                amount=Money(locked.total, locked.currency),
                reason=refund.reason,
                idempotency_key=refund.idempotency_key,
            )
        )
        if not outcome.succeeded:
            Refund.objects.filter(pk=refund.pk).update(
                status=RefundStatus.FAILED, error=outcome.message[:500], updated_at=clock.now()
            )
            raise Conflict(
                f"The payment processor refused the refund: {outcome.message}",
                code="refund_failed",
            )
        reference = outcome.reference
    else:
        reference = ""
    refund_complete(refund_id=refund.pk, reference=reference, actor=actor)
    refund.refresh_from_db()
    return refund


def refund_complete(*, refund_id: int, reference: str, actor: User | None) -> bool:
    """The processor returned the money: record it, refund the order, take the track back.

    Idempotent (``False`` when the order was already refunded). The enrollment returns to
    the course's default free track, or is deactivated when the course has none, only if it
    is still on the track the order bought; the audit row names the order.
    """
    refund = Refund.objects.select_related("order").get(pk=refund_id)
    order_head = refund.order
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .filter(user_id=order_head.user_id, course_id=order_head.course_id)
            .order_by("pk")  # the default ordering's joins would lock user and course too
            .first()
        )
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("user", "course")
            .get(pk=order_head.pk)
        )
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if order.status == OrderStatus.REFUNDED:
            if refund.status == RefundStatus.REQUESTED:
                refund.status = RefundStatus.SUCCEEDED
                refund.save(update_fields=["status"])
            return False
        now = clock.now()
        refund.status = RefundStatus.SUCCEEDED
        refund.processor_reference = reference
        refund.updated_at = now
        refund.save(update_fields=["status", "processor_reference", "updated_at"])
        if order.total > 0 and order.processor != FREE_PROCESSOR:
            LedgerEntry.objects.create(
                order=order,
                kind=LedgerKind.REFUND,
                amount=order.total,
                currency=order.currency,
                processor=order.processor,
                reference=reference or refund.idempotency_key,
                created_at=now,
            )
        was_fulfilled = order.status == OrderStatus.FULFILLED
        order_transition(order, OrderStatus.REFUNDED, actor=actor, note=refund.reason)
        if was_fulfilled and enrollment is not None and enrollment.track == order.track:
            _take_track_back(order, actor=actor, reason=refund.reason)
        outbox_enqueue([_refund_message(order)])
    return True


def _take_track_back(order: Order, *, actor: User | None, reason: str) -> None:
    why = order_reason(order.number, f"refunded: {reason}")
    default = course_default_track(order.course)
    # The learner may put themselves on the default track; for anything else the system acts.
    mover = actor if actor is not None and actor.pk != order.user_id else None
    if default is not None:
        enrollment_change_track(
            actor=mover, learner=order.user, course=order.course, track=default.slug, reason=why
        )
    else:
        enrollment_unenroll(actor=mover, learner=order.user, course=order.course, reason=why)


def _refund_message(order: Order) -> OutgoingMessage:
    return OutgoingMessage(
        key=f"order:{order.number}:refund",
        to_email=order.user.email,
        message_type="order_refunded",
        context={
            "learner_name": order.user.display_name,
            "platform_name": site_configuration_get().platform_name,
            "course_title": order.course.title,
            "track_name": catalog.CATALOG[order.track].display_name,
            "order_number": order.number,
            "total": str(Money(order.total, order.currency)),
            "receipt_url": f"{settings.SITE_URL}"
            + reverse("ecommerce:order-receipt", args=[order.number]),
        },
    )


def refund_recorded_at_processor(*, order: Order, reference: str, amount: Money) -> bool:
    """A refund made at the processor (its dashboard), reported by a webhook."""
    if order.status not in HOLDING:
        return False
    if amount.amount < Decimal(order.total) or amount.currency != order.currency:
        return False  # a partial refund: left to an operator
    now = clock.now()
    with transaction.atomic():
        # The locks in the fixed order (enrollment, then order), as refund_complete takes them.
        Enrollment.objects.select_for_update().filter(
            user_id=order.user_id, course_id=order.course_id
        ).first()
        Order.objects.select_for_update().filter(pk=order.pk).first()
        refund = (
            Refund.objects.filter(order=order).exclude(status=RefundStatus.FAILED).first()
        ) or Refund.objects.create(
            order=order,
            idempotency_key=f"refund:{order.number}:processor"[:64],
            status=RefundStatus.REQUESTED,
            amount=order.total,
            reason="Refunded at the payment processor.",
            created_at=now,
            updated_at=now,
        )
    return refund_complete(refund_id=refund.pk, reference=reference, actor=None)
