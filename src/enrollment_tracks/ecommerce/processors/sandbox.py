"""The built-in sandbox processor: a card form on our own site and the well-known test cards.

No money moves. ``4242 4242 4242 4242`` succeeds, ``4000 0000 0000 0002`` is declined and
``4000 0027 6000 3184`` needs a second confirmation (as 3-D Secure would). References are
derived from the order's idempotency key, so a retried call answers the same payment.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import reverse

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce.processors import WebhookRejected
from enrollment_tracks.ecommerce.processors.signatures import signature_problem
from enrollment_tracks.ecommerce.types import (
    CheckoutRequest,
    CheckoutStarted,
    EventKind,
    PaymentConfirmation,
    PaymentOutcome,
    PaymentStatus,
    RefundOutcome,
    RefundRequest,
    WebhookEvent,
)

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_NEEDS_CONFIRMATION = "4000002760003184"
SIGNATURE_HEADER = "Sandbox-Signature"
#: The sandbox's own event names → what they mean for an order.
EVENT_KINDS = {
    "payment.succeeded": EventKind.PAYMENT_SUCCEEDED,
    "payment.failed": EventKind.PAYMENT_FAILED,
    "refund.succeeded": EventKind.REFUNDED,
}
_NAMESPACE = uuid.UUID("5b1f5a3e-4c1d-4f39-9a53-3f0e2f0c9b11")


def _ref(prefix: str, key: str) -> str:
    return f"{prefix}_{uuid.uuid5(_NAMESPACE, key).hex}"


def card_digits(value: str) -> str:
    digits = "".join(ch for ch in value if not ch.isspace() and ch != "-")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise ValidationFailed(
            "Enter the card number: 12 to 19 digits (spaces allowed).",
            code="invalid_card_number",
            field="card_number",
        )
    return digits


class SandboxProcessor:
    name = "sandbox"

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStarted:
        return CheckoutStarted(
            reference=_ref("sbx_cs", request.idempotency_key),
            redirect_url=reverse("ecommerce:order-pay", args=[request.order_number]),
        )

    def checkout_confirm(self, confirmation: PaymentConfirmation) -> PaymentOutcome:
        card = card_digits(confirmation.fields.get("card_number", ""))
        if card == CARD_DECLINED:
            return PaymentOutcome(
                status=PaymentStatus.DECLINED,
                message="Your card was declined. Nothing was charged; try another card.",
            )
        if card == CARD_NEEDS_CONFIRMATION and confirmation.fields.get("authentication") != "ok":
            return PaymentOutcome(
                status=PaymentStatus.REQUIRES_ACTION,
                message="Your bank asks you to confirm this payment.",
            )
        if card not in (CARD_SUCCEEDS, CARD_NEEDS_CONFIRMATION):
            return PaymentOutcome(
                status=PaymentStatus.DECLINED,
                message="The sandbox declines every card but its test cards "
                "(4242 4242 4242 4242 succeeds).",
            )
        return PaymentOutcome(
            status=PaymentStatus.SUCCEEDED,
            payment_reference=_ref("sbx_pi", confirmation.checkout_reference),
            amount=confirmation.amount,
        )

    def refund(self, request: RefundRequest) -> RefundOutcome:
        return RefundOutcome(succeeded=True, reference=_ref("sbx_re", request.idempotency_key))

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        secret = settings.SANDBOX_WEBHOOK_SECRET
        problem = signature_problem(
            secret,
            body,
            headers.get(SIGNATURE_HEADER, ""),
            tolerance=settings.ECOMMERCE_WEBHOOK_TOLERANCE_SECONDS,
        )
        if problem:
            raise WebhookRejected(problem, code="bad_signature")
        try:
            data = json.loads(body)
            kind = EVENT_KINDS.get(data["type"])
            if kind is None:
                raise WebhookRejected(f"Unknown event type “{data['type']}”.", code="unknown_event")
            amount = Money(Decimal(str(data["amount"])), str(data["currency"]))
            return WebhookEvent(
                event_id=str(data["id"]),
                event_type=str(data["type"]),
                kind=kind,
                order_number=str(data["order_number"]),
                payment_reference=str(data.get("payment_reference", "")),
                amount=amount,
                created_at=dt.datetime.fromtimestamp(int(data["created"]), tz=dt.UTC),
                payload=data,
            )
        except WebhookRejected:
            raise
        except (ValueError, KeyError, TypeError, InvalidOperation, ValidationFailed) as error:
            raise WebhookRejected(
                f"The event body is not a sandbox event: {error}", code="malformed_event"
            ) from None
