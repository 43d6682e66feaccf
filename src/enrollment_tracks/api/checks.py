"""Start-up checks of the api app (ids ``api.E0xx``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from enrollment_tracks.api.permissions import ALL_SCOPES

MIN_JWT_KEY_LENGTH = 32


@checks.register(checks.Tags.security)
def jwt_key_is_long_enough(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    if len(settings.JWT_SECRET_KEY) < MIN_JWT_KEY_LENGTH:
        return [
            checks.Error(
                f"JWT_SECRET_KEY is shorter than {MIN_JWT_KEY_LENGTH} characters.",
                hint="Set JWT_SECRET_KEY to a long random value, or unset it (derived from "
                "SECRET_KEY).",
                id="api.E001",
            )
        ]
    return []


@checks.register()
def every_scope_is_described(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    scopes: Any = settings.OAUTH2_PROVIDER.get("SCOPES", {})
    described = set(scopes)
    if described != ALL_SCOPES:
        return [
            checks.Error(
                "OAUTH2_PROVIDER['SCOPES'] must describe exactly the API's scopes.",
                hint=f"Missing: {sorted(ALL_SCOPES - described)}; "
                f"unknown: {sorted(described - ALL_SCOPES)}.",
                id="api.E002",
            )
        ]
    return []


@checks.register()
def enrollment_write_rate_parses(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from enrollment_tracks.api.throttling import EnrollmentWriteThrottle

    rate = settings.ENROLLMENT_WRITE_RATE
    try:
        EnrollmentWriteThrottle()  # parses the rate
    except (ValueError, KeyError, IndexError):
        return [
            checks.Error(
                f"ENROLLMENT_WRITE_RATE {rate!r} is not a rate.",
                hint='Use "<number>/<second|minute|hour|day>", e.g. "60/minute".',
                id="api.E003",
            )
        ]
    return []
