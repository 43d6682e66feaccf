"""The order's state machine: one table of allowed transitions and the one guard that moves an
order and writes its history row. Services call :func:`order_transition` with the row locked."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict

if TYPE_CHECKING:
    from enrollment_tracks.accounts.models import User
    from enrollment_tracks.ecommerce.models import Order


class OrderStatus(models.TextChoices):
    CREATED = "created", "Created"
    PENDING = "pending", "Awaiting payment"
    PAID = "paid", "Paid"
    FULFILLED = "fulfilled", "Fulfilled"
    FAILED = "failed", "Payment failed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


S = OrderStatus

#: Every allowed move. ``created → paid`` is the free order (a 100 % coupon): no processor.
#: ``failed/cancelled → paid``: a capture the processor reports late still wins (money moved).
#: ``paid → refunded`` refunds an order that could not be fulfilled.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.CREATED: frozenset({S.PENDING, S.PAID, S.FAILED, S.CANCELLED}),
    S.PENDING: frozenset({S.PAID, S.FAILED, S.CANCELLED}),
    S.PAID: frozenset({S.FULFILLED, S.REFUNDED}),
    S.FULFILLED: frozenset({S.REFUNDED}),
    S.FAILED: frozenset({S.PAID}),
    S.CANCELLED: frozenset({S.PAID}),
    S.REFUNDED: frozenset(),
}

#: Orders whose payment is not settled either way yet.
OPEN = frozenset({S.CREATED, S.PENDING})
#: Orders that hold money (captured and not given back).
HOLDING = frozenset({S.PAID, S.FULFILLED})
#: Orders that count against a coupon's usage limit.
COUNTING_FOR_COUPON = frozenset({S.CREATED, S.PENDING, S.PAID, S.FULFILLED, S.REFUNDED})


def may_move(current: str, target: OrderStatus) -> bool:
    return target in TRANSITIONS[OrderStatus(current)]


def order_transition(order: Order, target: OrderStatus, *, actor: User | None, note: str) -> None:
    """Move ``order`` to ``target`` and append its history row.

    Caller holds the order's row lock inside a transaction. ``Conflict``
    (``invalid_order_transition``) when the table does not allow the move.
    """
    from enrollment_tracks.ecommerce.models import OrderHistory

    if not may_move(order.status, target):
        raise Conflict(
            f"Order {order.number} is {OrderStatus(order.status).label.lower()}; "
            f"it cannot become {target.label.lower()}.",
            code="invalid_order_transition",
        )
    now = clock.now()
    before = order.status
    order.status = target
    order.updated_at = now
    stamp = {S.PAID: "paid_at", S.FULFILLED: "fulfilled_at", S.REFUNDED: "refunded_at"}.get(target)
    fields = ["status", "updated_at"]
    if stamp:
        setattr(order, stamp, now)
        fields.append(stamp)
    order.save(update_fields=fields)
    OrderHistory.objects.create(
        order=order,
        status_before=before,
        status_after=target,
        actor=actor,
        note=note[:500],
        created_at=now,
    )
