"""Whether the site lets a learner get a track today, and why not. Pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.apps import apps

from enrollment_tracks.core.types import SiteSettings
from enrollment_tracks.tracks.catalog import TrackSpec

ECOMMERCE_SETTING = "Site configuration → “E-commerce enabled” (environment: ECOMMERCE_ENABLED)"
IDV_SETTING = (
    "Site configuration → “ID verification enabled” (environment: ID_VERIFICATION_ENABLED)"
)
COMMERCE_APP = "enrollment_tracks.ecommerce"


def requires_payment(spec: TrackSpec, price: Decimal) -> bool:
    """Paid by the catalog, or a free track given a price (Open edX's "white-label" honor)."""
    return spec.is_paid or price > 0


def is_expired(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return deadline is not None and deadline < now


def unavailable_reason(
    spec: TrackSpec,
    *,
    price: Decimal,
    deadline: dt.datetime | None,
    site: SiteSettings,
    now: dt.datetime,
) -> str | None:
    """Why a learner cannot get this track today, or ``None`` when they can."""
    if is_expired(deadline, now):
        return "The upgrade deadline for this track has passed."
    if requires_payment(spec, price) and not site.ecommerce_enabled:
        return (
            "Unavailable: e-commerce is not enabled for this site. "
            f"An administrator can switch it on in {ECOMMERCE_SETTING}."
        )
    if spec.needs_id_verification and not site.id_verification_enabled:
        return (
            "Unavailable: ID verification is not enabled for this site. "
            f"An administrator can switch it on in {IDV_SETTING}."
        )
    if requires_payment(spec, price) and not apps.is_installed(COMMERCE_APP):
        return "Not for sale yet: this site has no checkout installed."
    return None
