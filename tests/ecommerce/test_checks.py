"""Start-up checks of the e-commerce settings, and the processor chosen by its dotted path."""

from __future__ import annotations

import pytest

from enrollment_tracks.ecommerce.checks import processor_is_importable
from enrollment_tracks.ecommerce.processors import PaymentProcessor, processor_get
from enrollment_tracks.ecommerce.processors.sandbox import SandboxProcessor
from enrollment_tracks.ecommerce.processors.stripe import StripeProcessor


def ids(settings) -> list[str]:
    return [message.id for message in processor_is_importable(None)]


def test_the_default_is_the_sandbox(settings):
    assert isinstance(processor_get(), SandboxProcessor)
    assert isinstance(processor_get(), PaymentProcessor)
    assert ids(settings) == []


@pytest.mark.parametrize(
    "path", ["enrollment_tracks.ecommerce.processors.nowhere.Gone", "decimal.Decimal"]
)
def test_a_path_that_is_not_a_processor_fails_the_check(settings, path):
    settings.ECOMMERCE_PROCESSOR = path
    assert ids(settings) == ["ecommerce.E001"]


def test_stripe_needs_its_keys(settings):
    settings.ECOMMERCE_PROCESSOR = "enrollment_tracks.ecommerce.processors.stripe.StripeProcessor"
    settings.STRIPE_SECRET_KEY = ""
    assert ids(settings) == ["ecommerce.E002"]
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    assert ids(settings) == []
    assert isinstance(processor_get(), StripeProcessor)
