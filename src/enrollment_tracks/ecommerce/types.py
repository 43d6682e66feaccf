"""The frozen values exchanged with payment processors and returned by the services."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from enrollment_tracks.core.money import Money


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutRequest:
    """Ask the processor to take ``amount`` for an order."""

    order_number: str
    amount: Money
    description: str
    customer_email: str
    return_url: str  # where the processor sends the learner back (success)
    cancel_url: str
    idempotency_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutStarted:
    reference: str  # the processor's checkout id
    redirect_url: str  # where the learner pays


class PaymentStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    DECLINED = "declined"
    REQUIRES_ACTION = "requires_action"  # a second confirmation (3-D Secure)
    PENDING = "pending"  # not settled yet: wait for the webhook


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentConfirmation:
    """What came back from the learner's payment step (a card form, a return URL)."""

    order_number: str
    checkout_reference: str
    amount: Money
    fields: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentOutcome:
    status: PaymentStatus
    payment_reference: str = ""
    amount: Money | None = None
    message: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundRequest:
    order_number: str
    payment_reference: str
    amount: Money
    reason: str
    idempotency_key: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RefundOutcome:
    succeeded: bool
    reference: str = ""
    message: str = ""


class EventKind(enum.StrEnum):
    PAYMENT_SUCCEEDED = "payment_succeeded"
    PAYMENT_FAILED = "payment_failed"
    REFUNDED = "refunded"
    NO_EFFECT = "no_effect"  # a verified event we keep but that changes no order


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookEvent:
    """A verified webhook delivery, in our terms."""

    event_id: str
    event_type: str  # the processor's own name (checkout.session.completed, ...)
    kind: EventKind
    order_number: str
    payment_reference: str
    amount: Money | None
    created_at: dt.datetime
    payload: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """The server's price for a track, with the coupon applied."""

    price: Money
    discount: Money
    total: Money
    coupon_code: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutResult:
    """Where to send the learner after checkout: the payment step, or the receipt."""

    order_number: str
    redirect_url: str
    status: str
