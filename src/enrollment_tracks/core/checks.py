"""Start-up checks with stable ids."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

DEVELOPMENT_KEY = "insecure-development-key-change-me"


@checks.register(checks.Tags.security, deploy=True)
def secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SECRET_KEY == DEVELOPMENT_KEY:
        return [
            checks.Error(
                "SECRET_KEY is the development key.",
                hint="Set the SECRET_KEY environment variable to a long random value.",
                id="core.E001",
            )
        ]
    return []


@checks.register()
def site_defaults_are_valid(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from enrollment_tracks.core.errors import ValidationFailed
    from enrollment_tracks.core.money import currency_normalise

    try:
        currency_normalise(str(settings.SITE_DEFAULTS["default_currency"]))
    except ValidationFailed as error:
        return [
            checks.Error(
                str(error), hint="Fix the DEFAULT_CURRENCY environment variable.", id="core.E002"
            )
        ]
    return []
