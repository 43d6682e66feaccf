"""E-commerce writes, the app's public face: checkout, payment, fulfilment, reconciliation and
coupons (refunds: :mod:`.refunds`; webhooks: :mod:`.webhooks`).

Each service owns its transaction. Row locks are taken in one order: enrollment, then order
(then refund or event). Processor calls happen outside any transaction, keyed by idempotency
keys stored before the call.
"""

from __future__ import annotations

from enrollment_tracks.ecommerce.checkout import order_checkout, order_quote
from enrollment_tracks.ecommerce.coupons import coupon_create
from enrollment_tracks.ecommerce.fulfilment import (
    FREE_PROCESSOR,
    ORDER_REASON_PREFIX,
    ReconcileReport,
    order_fulfil,
    order_reason,
    orders_reconcile,
)
from enrollment_tracks.ecommerce.payments import (
    order_cancel,
    order_mark_failed,
    order_mark_paid,
    order_payment_confirm,
    order_payment_start,
)

__all__ = [
    "FREE_PROCESSOR",
    "ORDER_REASON_PREFIX",
    "ReconcileReport",
    "coupon_create",
    "order_cancel",
    "order_checkout",
    "order_fulfil",
    "order_mark_failed",
    "order_mark_paid",
    "order_payment_confirm",
    "order_payment_start",
    "order_quote",
    "order_reason",
    "orders_reconcile",
]
