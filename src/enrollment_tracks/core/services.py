from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.core.models import SiteConfiguration
from enrollment_tracks.core.money import currency_normalise
from enrollment_tracks.core.selectors import (
    CACHE_KEY,
    site_configuration_get,
    site_configuration_row,
)
from enrollment_tracks.core.types import SiteSettings

_EDITABLE = {"platform_name", "ecommerce_enabled", "id_verification_enabled", "default_currency"}


def site_configuration_update(**changes: object) -> SiteSettings:
    """Change the site's switches.

    Switching e-commerce or ID verification off leaves tracks that need them in place; they show
    as unavailable with the reason. Only adding such a track is refused while a switch is off.
    """
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise ValidationFailed(
            f"Unknown site setting: {', '.join(sorted(unknown))}.", code="unknown_setting"
        )
    site_configuration_row()
    with transaction.atomic():
        row = SiteConfiguration.objects.select_for_update().get(pk=SiteConfiguration.SINGLETON_PK)
        for name, value in changes.items():
            if name == "default_currency":
                value = currency_normalise(str(value), field="default_currency")
            if name == "platform_name" and not str(value).strip():
                raise ValidationFailed(
                    "The platform name cannot be empty.", code="required", field="platform_name"
                )
            setattr(row, name, value)
        row.save()
    cache.delete(CACHE_KEY)
    return site_configuration_get()
