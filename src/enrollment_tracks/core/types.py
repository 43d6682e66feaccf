from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SiteSettings:
    platform_name: str
    ecommerce_enabled: bool
    id_verification_enabled: bool
    default_currency: str
