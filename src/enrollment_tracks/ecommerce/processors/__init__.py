"""Payment processors: a small protocol, chosen by a dotted path in ``ECOMMERCE_PROCESSOR``.

A processor never touches the database: it talks to the payment provider and answers in the
frozen values of :mod:`enrollment_tracks.ecommerce.types`. The services own every state change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.ecommerce.types import (
    CheckoutRequest,
    CheckoutStarted,
    PaymentConfirmation,
    PaymentOutcome,
    RefundOutcome,
    RefundRequest,
    WebhookEvent,
)


class WebhookRejected(DomainError):
    """A delivery that is not signed by the processor, too old, or not an event we handle."""

    code = "webhook_rejected"
    http_status = 400


class ProcessorUnavailable(DomainError):
    """The provider could not be reached or answered an error; nothing is known to have moved."""

    code = "processor_unavailable"
    http_status = 502


@runtime_checkable
class PaymentProcessor(Protocol):
    #: Stored on orders and events; the webhook URL is ``/ecommerce/webhooks/<name>/``.
    name: str

    def checkout_start(self, request: CheckoutRequest) -> CheckoutStarted: ...

    def checkout_confirm(self, confirmation: PaymentConfirmation) -> PaymentOutcome: ...

    def refund(self, request: RefundRequest) -> RefundOutcome: ...

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature and timestamp, then translate; ``WebhookRejected`` otherwise."""
        ...


def processor_get(dotted_path: str | None = None) -> PaymentProcessor:
    """The configured processor (read at call time, so tests and operators can switch it)."""
    cls = import_string(dotted_path or settings.ECOMMERCE_PROCESSOR)
    processor = cls()
    if not isinstance(processor, PaymentProcessor):
        raise TypeError(f"{cls!r} does not implement PaymentProcessor")
    return processor
