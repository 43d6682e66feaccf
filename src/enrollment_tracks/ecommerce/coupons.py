"""Coupons: per-course codes, a percentage or a fixed amount, a usage limit, an expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.core.money import amount_parse, currency_normalise
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce.models import Coupon, CouponKind


def coupon_create(
    *,
    actor: User | None,
    course: CourseRun,
    code: str,
    kind: str,
    value: object,
    currency: str = "",
    max_uses: int | None = None,
    expires_at: dt.datetime | None = None,
) -> Coupon:
    """A per-course coupon: ``percentage`` (1-100) or ``fixed`` (an amount in ``currency``)."""
    cleaned = code.strip().upper()
    if not cleaned or len(cleaned) > 64 or not all(ch.isalnum() or ch in "-_" for ch in cleaned):
        raise ValidationFailed(
            "A coupon code is 1 to 64 letters, digits, dashes or underscores.",
            code="invalid_coupon_code",
            field="code",
        )
    if kind not in CouponKind.values:
        raise ValidationFailed(
            "A coupon is a percentage or a fixed amount.", code="invalid_coupon_kind", field="kind"
        )
    amount = amount_parse(value, field="value")
    if amount <= 0 or (kind == CouponKind.PERCENTAGE and amount > 100):
        raise ValidationFailed(
            "A percentage is between 0 (excluded) and 100."
            if kind == CouponKind.PERCENTAGE
            else "A fixed discount is more than 0.",
            code="invalid_coupon_value",
            field="value",
        )
    if kind == CouponKind.FIXED:
        currency = currency_normalise(currency or site_configuration_get().default_currency)
    else:
        currency = ""
    if max_uses is not None and max_uses < 1:
        raise ValidationFailed(
            "A usage limit is at least 1 (leave it empty for none).",
            code="invalid_max_uses",
            field="max_uses",
        )
    if Coupon.objects.filter(course=course, code=cleaned).exists():
        raise Conflict(
            f"This course already has a coupon {cleaned}.", code="coupon_exists", field="code"
        )
    return Coupon.objects.create(
        course=course,
        code=cleaned,
        kind=kind,
        value=Decimal(amount),
        currency=currency,
        max_uses=max_uses,
        expires_at=expires_at,
        created_by=actor,
        created_at=clock.now(),
    )
