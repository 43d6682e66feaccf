"""Stripe through its ``stripe`` SDK: Checkout Sessions, refunds and signed webhooks.

Every POST carries an idempotency key derived from our own durable row (the order's key for
the session, the refund row's key for a refund), so a retry after a timeout is answered with
the first result instead of a second charge. ``STRIPE_API_BASE`` points the SDK elsewhere
(the tests' local server).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import stripe
from babel.numbers import get_currency_precision
from django.conf import settings

from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce.processors import ProcessorUnavailable, WebhookRejected
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

SIGNATURE_HEADER = "Stripe-Signature"
HANDLED_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
        "charge.refunded",
    }
)


def to_minor_units(amount: Money) -> int:
    return int(amount.amount.scaleb(get_currency_precision(amount.currency.upper())))


def from_minor_units(value: int, currency: str) -> Money:
    digits = get_currency_precision(currency.upper())
    return Money(Decimal(int(value)).scaleb(-digits), currency)


class StripeProcessor:
    name = "stripe"

    def _client(self) -> stripe.StripeClient:
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,  # safe: every POST carries its idempotency key
        )

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStarted:
        separator = "&" if "?" in request.return_url else "?"
        try:
            session = self._client().v1.checkout.sessions.create(
                {
                    "mode": "payment",
                    "client_reference_id": request.order_number,
                    "customer_email": request.customer_email,
                    "metadata": {"order_number": request.order_number},
                    "payment_intent_data": {"metadata": {"order_number": request.order_number}},
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": request.amount.currency,
                                "unit_amount": to_minor_units(request.amount),
                                "product_data": {"name": request.description},
                            },
                        }
                    ],
                    "success_url": f"{request.return_url}{separator}"
                    "session_id={CHECKOUT_SESSION_ID}",
                    "cancel_url": request.cancel_url,
                },
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            raise ProcessorUnavailable(f"Stripe did not start the payment: {error}") from None
        return CheckoutStarted(reference=session.id, redirect_url=str(session.url))

    def checkout_confirm(self, confirmation: PaymentConfirmation) -> PaymentOutcome:
        if confirmation.fields.get("session_id", "") != confirmation.checkout_reference:
            return PaymentOutcome(
                status=PaymentStatus.PENDING, message="This is not the order's payment session."
            )
        try:
            session = self._client().v1.checkout.sessions.retrieve(confirmation.checkout_reference)
        except stripe.StripeError as error:
            raise ProcessorUnavailable(f"Stripe did not answer: {error}") from None
        if session.payment_status == "paid":
            return PaymentOutcome(
                status=PaymentStatus.SUCCEEDED,
                payment_reference=str(session.payment_intent),
                amount=from_minor_units(session.amount_total or 0, str(session.currency)),
            )
        if session.status == "expired":
            return PaymentOutcome(
                status=PaymentStatus.DECLINED, message="The payment session expired."
            )
        return PaymentOutcome(
            status=PaymentStatus.PENDING,
            message="Stripe has not confirmed the payment yet; this page will show it once it has.",
        )

    def refund(self, request: RefundRequest) -> RefundOutcome:
        try:
            refund = self._client().v1.refunds.create(
                {
                    "payment_intent": request.payment_reference,
                    "amount": to_minor_units(request.amount),
                    "metadata": {"order_number": request.order_number},
                },
                {"idempotency_key": request.idempotency_key},
            )
        except stripe.StripeError as error:
            return RefundOutcome(succeeded=False, message=f"Stripe refused the refund: {error}")
        if refund.status in ("succeeded", "pending"):
            return RefundOutcome(succeeded=True, reference=refund.id)
        return RefundOutcome(
            succeeded=False, reference=refund.id, message=f"Stripe refund {refund.status}."
        )

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        try:
            event = stripe.Webhook.construct_event(
                body,
                headers.get(SIGNATURE_HEADER, ""),
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=settings.ECOMMERCE_WEBHOOK_TOLERANCE_SECONDS,
            )
        except stripe.SignatureVerificationError as error:
            raise WebhookRejected(str(error), code="bad_signature") from None
        except ValueError as error:
            raise WebhookRejected(
                f"The body is not JSON: {error}", code="malformed_event"
            ) from None
        if event.type not in HANDLED_EVENTS:
            raise WebhookRejected(f"Unknown event type “{event.type}”.", code="unknown_event")
        payload = event.to_dict()
        obj: dict[str, Any] = payload["data"]["object"]
        created = dt.datetime.fromtimestamp(int(event.created), tz=dt.UTC)
        try:
            if event.type == "charge.refunded":
                return WebhookEvent(
                    event_id=event.id,
                    event_type=event.type,
                    kind=EventKind.REFUNDED,
                    order_number=str((obj.get("metadata") or {}).get("order_number", "")),
                    payment_reference=str(obj["payment_intent"]),
                    amount=from_minor_units(obj["amount_refunded"], obj["currency"]),
                    created_at=created,
                    payload=payload,
                )
            paid = obj.get("payment_status") == "paid"
            kind = {
                "checkout.session.completed": (
                    EventKind.PAYMENT_SUCCEEDED if paid else EventKind.NO_EFFECT
                ),
                "checkout.session.async_payment_succeeded": EventKind.PAYMENT_SUCCEEDED,
                "checkout.session.async_payment_failed": EventKind.PAYMENT_FAILED,
                "checkout.session.expired": EventKind.PAYMENT_FAILED,
            }[event.type]
            return WebhookEvent(
                event_id=event.id,
                event_type=event.type,
                kind=kind,
                order_number=str(obj.get("client_reference_id") or ""),
                payment_reference=str(obj.get("payment_intent") or ""),
                amount=from_minor_units(obj.get("amount_total") or 0, obj["currency"]),
                created_at=created,
                payload=payload,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise WebhookRejected(
                f"The event lacks a field we need: {error}", code="malformed_event"
            ) from None
