"""The price a learner pays: the track's stored price, less a coupon. Pure functions."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce.models import Coupon, CouponKind
from enrollment_tracks.ecommerce.types import Quote

_CENT = Decimal("0.01")


def coupon_check(coupon: Coupon | None, *, code: str, now: dt.datetime, uses: int) -> Coupon:
    """The coupon if a learner may use it now; ``ValidationFailed`` naming ``coupon`` if not."""
    if coupon is None or not coupon.is_active:
        raise ValidationFailed(
            f"“{code}” is not a coupon code for this course.",
            code="coupon_unknown",
            field="coupon",
        )
    if coupon.expires_at is not None and coupon.expires_at <= now:
        raise ValidationFailed(
            f"The coupon {coupon.code} expired on {coupon.expires_at:%d %B %Y}.",
            code="coupon_expired",
            field="coupon",
        )
    if coupon.max_uses is not None and uses >= coupon.max_uses:
        raise ValidationFailed(
            f"The coupon {coupon.code} has been used as many times as it allows.",
            code="coupon_used_up",
            field="coupon",
        )
    return coupon


def quote(price: Money, coupon: Coupon | None) -> Quote:
    """The total for ``price`` with ``coupon`` (already checked) applied; never below zero."""
    discount = Decimal(0)
    if coupon is not None:
        if coupon.kind == CouponKind.PERCENTAGE:
            discount = (price.amount * coupon.value / 100).quantize(_CENT, ROUND_HALF_UP)
        elif coupon.currency.lower() == price.currency:
            discount = coupon.value
        else:
            raise ValidationFailed(
                f"The coupon {coupon.code} is an amount in {coupon.currency.upper()}; this "
                f"track is priced in {price.currency.upper()}.",
                code="coupon_currency",
                field="coupon",
            )
    discount = min(discount, price.amount)
    return Quote(
        price=price,
        discount=Money(discount, price.currency),
        total=Money(price.amount - discount, price.currency),
        coupon_code=coupon.code if coupon else "",
    )
