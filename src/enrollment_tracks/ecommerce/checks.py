"""Start-up checks for the e-commerce settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register()
def processor_is_importable(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from enrollment_tracks.ecommerce.processors import processor_get

    try:
        processor = processor_get()
    except (ImportError, TypeError) as error:
        return [
            checks.Error(
                f"ECOMMERCE_PROCESSOR ({settings.ECOMMERCE_PROCESSOR}) is not a payment "
                f"processor: {error}",
                hint="Set ECOMMERCE_PROCESSOR to a dotted path, e.g. "
                "enrollment_tracks.ecommerce.processors.sandbox.SandboxProcessor.",
                id="ecommerce.E001",
            )
        ]
    if processor.name == "stripe" and not (
        settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET
    ):
        return [
            checks.Error(
                "The Stripe processor needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET.",
                hint="Set both in the environment.",
                id="ecommerce.E002",
            )
        ]
    return []
