"""Start-up checks of the verification settings (ids ``verification.E00x``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from enrollment_tracks.core.checks import DEVELOPMENT_KEY


@checks.register()
def key_encryption_keys(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from enrollment_tracks.verification.crypto import KeyConfigurationError, current_kek_id

    try:
        current_kek_id()
    except KeyConfigurationError as error:
        return [
            checks.Error(
                str(error),
                hint=(
                    'Set VERIFICATION_KEKS to "<id>:<base64 of 32 random bytes>", e.g. from '
                    "python -c 'import os,base64; print(base64.b64encode(os.urandom(32)))'."
                ),
                id="verification.E001",
            )
        ]
    return []


@checks.register()
def review_mode_default(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from enrollment_tracks.verification.models import ReviewMode

    if settings.VERIFICATION_REVIEW_MODE not in ReviewMode.values:
        return [
            checks.Error(
                f"VERIFICATION_REVIEW_MODE must be one of {', '.join(ReviewMode.values)}.",
                id="verification.E002",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def development_key_in_use(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if "dev" in settings.VERIFICATION_KEKS and settings.SECRET_KEY == DEVELOPMENT_KEY:
        return [
            checks.Error(
                "ID photos are encrypted under the development key-encryption key.",
                hint="Set VERIFICATION_KEKS to keys of your own.",
                id="verification.E003",
            )
        ]
    return []
