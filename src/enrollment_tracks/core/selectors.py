from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from enrollment_tracks.core.models import SiteConfiguration
from enrollment_tracks.core.types import SiteSettings

CACHE_KEY = "core:site-settings:v1"


def _to_settings(row: SiteConfiguration) -> SiteSettings:
    return SiteSettings(
        platform_name=row.platform_name,
        ecommerce_enabled=row.ecommerce_enabled,
        id_verification_enabled=row.id_verification_enabled,
        default_currency=row.default_currency,
    )


def site_configuration_row() -> SiteConfiguration:
    """The row itself, created from ``settings.SITE_DEFAULTS`` on first use."""
    defaults = settings.SITE_DEFAULTS
    row, _ = SiteConfiguration.objects.get_or_create(
        pk=SiteConfiguration.SINGLETON_PK,
        defaults={
            "platform_name": str(defaults["platform_name"]),
            "ecommerce_enabled": bool(defaults["ecommerce_enabled"]),
            "id_verification_enabled": bool(defaults["id_verification_enabled"]),
            "default_currency": str(defaults["default_currency"]).lower(),
        },
    )
    return row


def site_configuration_get() -> SiteSettings:
    """The site's switches, cached for ``SITE_CONFIGURATION_CACHE_SECONDS``.

    The cache is cleared on every update in this process; other processes see a change within
    the cache period (use a shared cache, ``REDIS_URL``, to make that immediate).
    """
    cached = cache.get(CACHE_KEY)
    if isinstance(cached, SiteSettings):
        return cached
    value = _to_settings(site_configuration_row())
    cache.set(CACHE_KEY, value, settings.SITE_CONFIGURATION_CACHE_SECONDS)
    return value
