"""Payment of an order: starting it at the processor, settling it, recording the capture."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce.fulfilment import order_fulfil, site_url
from enrollment_tracks.ecommerce.models import LedgerEntry, LedgerKind, Order
from enrollment_tracks.ecommerce.processors import processor_get
from enrollment_tracks.ecommerce.states import HOLDING, OPEN, OrderStatus, order_transition
from enrollment_tracks.ecommerce.types import (
    CheckoutRequest,
    CheckoutResult,
    PaymentConfirmation,
    PaymentOutcome,
    PaymentStatus,
)
from enrollment_tracks.tracks import catalog


def result_for(order: Order) -> CheckoutResult:
    if order.status in (OrderStatus.CREATED, OrderStatus.PENDING):
        url = reverse("ecommerce:order-pay", args=[order.number])
    else:
        url = reverse("ecommerce:order-receipt", args=[order.number])
    return CheckoutResult(order_number=order.number, redirect_url=url, status=order.status)


def order_payment_start(*, order: Order) -> CheckoutResult:
    """Ask the processor for a payment of the order's total; ``created → pending``.

    Safe to repeat: the processor gets the order's own idempotency key and answers the same
    checkout. A processor outage leaves the order ``created`` (the learner may try again).
    """
    if order.status == OrderStatus.PENDING and order.payment_url:
        return CheckoutResult(
            order_number=order.number, redirect_url=order.payment_url, status=order.status
        )
    if order.status not in OPEN:
        return result_for(order)
    processor = processor_get()
    started = processor.checkout_start(
        CheckoutRequest(
            order_number=order.number,
            amount=Money(order.total, order.currency),
            description=f"{order.course.title}: {catalog.CATALOG[order.track].display_name}",
            customer_email=order.user.email,
            return_url=site_url(reverse("ecommerce:order-return", args=[order.number])),
            cancel_url=site_url(reverse("ecommerce:order-pay", args=[order.number])),
            idempotency_key=f"order:{order.number}:checkout",
        )
    )
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == OrderStatus.CREATED:
            locked.processor = processor.name
            locked.checkout_reference = started.reference
            locked.payment_url = started.redirect_url
            locked.save(update_fields=["processor", "checkout_reference", "payment_url"])
            order_transition(
                locked, OrderStatus.PENDING, actor=None, note=f"Payment started ({processor.name})"
            )
    if locked.status != OrderStatus.PENDING:
        return result_for(locked)
    return CheckoutResult(
        order_number=locked.number, redirect_url=started.redirect_url, status=locked.status
    )


def order_cancel(*, order: Order, actor: User) -> Order:
    """The learner gives up an unpaid order (it stops counting against its coupon)."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in OPEN:
            raise Conflict(
                f"Order {locked.number} is {OrderStatus(locked.status).label.lower()}; "
                "only an unpaid order can be cancelled.",
                code="order_not_open",
            )
        order_transition(locked, OrderStatus.CANCELLED, actor=actor, note="Cancelled")
    return locked


def order_payment_confirm(
    *, order: Order, fields: dict[str, str], actor: User | None
) -> PaymentOutcome:
    """Settle the order's payment with what the learner's payment step returned.

    Succeeded: the order is paid, then fulfilled. Declined: the order fails and nothing is
    enrolled. A second confirmation or a pending payment changes nothing yet. Repeating it
    for a paid order answers "succeeded" without charging or enrolling again.
    """
    if order.status in HOLDING:
        if order.status == OrderStatus.PAID:
            order_fulfil(order_id=order.pk)
        return PaymentOutcome(
            status=PaymentStatus.SUCCEEDED, payment_reference=order.payment_reference
        )
    if order.status != OrderStatus.PENDING:
        raise Conflict(
            f"Order {order.number} is {OrderStatus(order.status).label.lower()}; start a new "
            "checkout from the course page.",
            code="order_not_payable",
        )
    processor = processor_get()
    if processor.name != order.processor:
        raise Conflict(
            f"Order {order.number} is paid through {order.processor}, which this site no "
            "longer uses; start a new checkout.",
            code="processor_changed",
        )
    outcome = processor.checkout_confirm(
        PaymentConfirmation(
            order_number=order.number,
            checkout_reference=order.checkout_reference,
            amount=Money(order.total, order.currency),
            fields=fields,
            idempotency_key=f"order:{order.number}:confirm",
        )
    )
    if outcome.status is PaymentStatus.SUCCEEDED:
        order_mark_paid(
            order_id=order.pk,
            payment_reference=outcome.payment_reference,
            amount=outcome.amount or Money(order.total, order.currency),
            actor=actor,
        )
        order_fulfil(order_id=order.pk)
    elif outcome.status is PaymentStatus.DECLINED:
        order_mark_failed(order_id=order.pk, message=outcome.message, actor=actor)
    return outcome


def order_mark_paid(
    *, order_id: int, payment_reference: str, amount: Money, actor: User | None = None
) -> bool:
    """Record the capture and move the order to paid; ``False`` if it already was.

    A capture of another amount than the order's total is refused (``Conflict``,
    ``amount_mismatch``) and nothing is recorded: an operator looks at it.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status in HOLDING or order.status == OrderStatus.REFUNDED:
            return False
        if amount != Money(order.total, order.currency):
            raise Conflict(
                f"The processor captured {amount} for order {order.number}, whose total is "
                f"{Money(order.total, order.currency)}.",
                code="amount_mismatch",
            )
        order.payment_reference = payment_reference
        order.failure_message = ""
        order.save(update_fields=["payment_reference", "failure_message"])
        LedgerEntry.objects.create(
            order=order,
            kind=LedgerKind.CAPTURE,
            amount=order.total,
            currency=order.currency,
            processor=order.processor,
            reference=payment_reference,
            created_at=clock.now(),
        )
        order_transition(
            order, OrderStatus.PAID, actor=actor, note=f"Captured {amount} ({payment_reference})"
        )
    return True


def order_mark_failed(*, order_id: int, message: str, actor: User | None = None) -> bool:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status not in OPEN:
            return False
        order.failure_message = message[:500]
        order.save(update_fields=["failure_message"])
        order_transition(order, OrderStatus.FAILED, actor=actor, note=message)
    return True
