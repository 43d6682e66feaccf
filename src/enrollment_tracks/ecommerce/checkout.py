"""Checkout: the server's price for a track, the refusals, and the order it creates."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce import pricing
from enrollment_tracks.ecommerce.fulfilment import FREE_PROCESSOR, order_fulfil
from enrollment_tracks.ecommerce.models import Coupon, Order, OrderHistory
from enrollment_tracks.ecommerce.payments import order_payment_start, result_for
from enrollment_tracks.ecommerce.states import (
    COUNTING_FOR_COUPON,
    HOLDING,
    OPEN,
    OrderStatus,
    order_transition,
)
from enrollment_tracks.ecommerce.types import CheckoutResult
from enrollment_tracks.enrollments import policy
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.availability import ECOMMERCE_SETTING, requires_payment
from enrollment_tracks.tracks.selectors import course_default_track, course_track_find
from enrollment_tracks.tracks.types import OfferedTrack


def _new_number() -> str:
    return f"ET-{secrets.token_hex(5).upper()}"


def _track_for_sale(course: CourseRun, slug: str) -> OfferedTrack:
    """The course's track if it can be bought today; ``ValidationFailed`` naming ``track``."""
    if not site_configuration_get().ecommerce_enabled:
        raise ValidationFailed(
            "Paid tracks are not for sale: e-commerce is switched off for this site. "
            f"An administrator can switch it on in {ECOMMERCE_SETTING}.",
            code="ecommerce_disabled",
            field="track",
        )
    spec = catalog.track_spec(slug, field="track")
    track = course_track_find(course, spec.slug, include_expired=True)
    if track is None:
        raise ValidationFailed(
            f"This course does not offer the {spec.display_name} track.",
            code="track_not_offered",
            field="track",
        )
    if track.is_expired and track.upgrade_deadline is not None:
        raise ValidationFailed(
            f"The deadline to get the {track.display_name} track passed on "
            f"{track.upgrade_deadline:%d %B %Y, %H:%M UTC}.",
            code="upgrade_deadline_passed",
            field="track",
        )
    if not requires_payment(spec, track.price.amount):
        raise ValidationFailed(
            f"{track.display_name} is free: enroll from the course page.",
            code="track_is_free",
            field="track",
        )
    if spec.acquisition not in (catalog.Acquisition.CHECKOUT, catalog.Acquisition.UPGRADE):
        raise ValidationFailed(
            f"The {track.display_name} track is assigned by the course team, not sold.",
            code="track_not_sold",
            field="track",
        )
    if track.unavailable_reason:
        raise ValidationFailed(track.unavailable_reason, code="track_unavailable", field="track")
    return track


def _check_learner_may_buy(learner: User, course: CourseRun, track: OfferedTrack) -> None:
    """An upgrade needs an active enrollment on a track that upgrades to it (one is made on
    the default free track when the learner has none); a seat bought before enrolling needs
    the enrollment window open. Caller holds the transaction."""
    enrollment = Enrollment.objects.filter(user=learner, course=course).first()
    active = enrollment is not None and enrollment.is_active
    if Order.objects.filter(
        user=learner, course=course, track=track.slug, status__in=HOLDING
    ).exists():
        raise Conflict(
            f"You have already paid for the {track.display_name} track of this course.",
            code="already_paid",
            field="track",
        )
    if active and enrollment is not None and enrollment.track == track.slug:
        raise Conflict(
            f"You are already on the {track.display_name} track of this course.",
            code="already_on_track",
            field="track",
        )
    if track.spec.payment is catalog.Payment.UPGRADE:
        if not active:
            default = course_default_track(course)
            if default is None or track.slug not in default.spec.upgrade_targets:
                raise ValidationFailed(
                    f"{track.display_name} is an upgrade from a free enrollment, and this "
                    "course has no free track to start from.",
                    code="not_upgradeable",
                    field="track",
                )
            enrollment_create(actor=learner, learner=learner, course=course)
            return
        assert enrollment is not None
        current = catalog.CATALOG.get(enrollment.track)
        if current is None or track.slug not in current.upgrade_targets:
            name = current.display_name if current else enrollment.track
            raise ValidationFailed(
                f"You cannot upgrade from the {name} track to {track.display_name}.",
                code="not_upgradeable",
                field="track",
            )
    elif not active:
        policy.check_enrollment_open(course=course, now=clock.now())


def _open_order(learner: User, course: CourseRun, track: str, coupon_code: str) -> Order | None:
    """The learner's unpaid order for the same track and coupon, if any."""
    orders = Order.objects.filter(
        user=learner, course=course, track=track, status__in=OPEN
    ).select_related("coupon")
    wanted = coupon_code.strip().upper()
    for order in orders:
        if (order.coupon.code if order.coupon else "") == wanted:
            return order
    return None


def _coupon_for(course: CourseRun, code: str) -> Coupon | None:
    """The course's coupon with this code, row-locked (caller holds the transaction)."""
    return (
        Coupon.objects.select_for_update().filter(course=course, code=code.strip().upper()).first()
    )


def _coupon_uses(coupon: Coupon) -> int:
    return Order.objects.filter(coupon=coupon, status__in=COUNTING_FOR_COUPON).count()


def order_quote(*, course: CourseRun, track: str, coupon_code: str = "") -> pricing.Quote:
    """What the learner would pay now (for the selection page); nothing is written."""
    offered = _track_for_sale(course, track)
    coupon = None
    if coupon_code.strip():
        found = Coupon.objects.filter(course=course, code=coupon_code.strip().upper()).first()
        coupon = pricing.coupon_check(
            found,
            code=coupon_code,
            now=clock.now(),
            uses=_coupon_uses(found) if found else 0,
        )
    return pricing.quote(offered.price, coupon)


def order_checkout(
    *,
    learner: User,
    course: CourseRun,
    track: str,
    idempotency_key: str,
    coupon_code: str = "",
) -> CheckoutResult:
    """Create the learner's order for a track at the server's price and start its payment.

    The price and currency are the course's, never the client's. The same
    ``idempotency_key`` (one per rendered checkout form) answers the same order, so a double
    click buys once. A zero total (a 100 % coupon) is paid and fulfilled at once, without a
    processor; otherwise the configured processor starts the payment and the learner is sent
    to ``redirect_url``.
    """
    key = idempotency_key.strip()
    if not key or len(key) > 64:
        raise ValidationFailed(
            "The checkout form expired; open the page again.",
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    existing = Order.objects.filter(user=learner, idempotency_key=key).first()
    if existing is not None:
        return order_payment_start(order=existing)
    offered = _track_for_sale(course, track)
    open_order = _open_order(learner, course, offered.slug, coupon_code)
    if open_order is not None:  # another tab's checkout: pay that one, never two
        return order_payment_start(order=open_order)
    try:
        order = _order_create(learner, course, offered, key, coupon_code)
    except IntegrityError:  # the same key at the same moment (a double click): one order
        existing = Order.objects.filter(user=learner, idempotency_key=key).first()
        if existing is None:
            raise
        return order_payment_start(order=existing)
    if order.status == OrderStatus.PAID:
        order_fulfil(order_id=order.pk)
        order.refresh_from_db()
        return result_for(order)
    return order_payment_start(order=order)


def _order_create(
    learner: User, course: CourseRun, offered: OfferedTrack, key: str, coupon_code: str
) -> Order:
    """The order row and its first history row; paid at once when nothing is due."""
    now = clock.now()
    with transaction.atomic():
        _check_learner_may_buy(learner, course, offered)
        coupon = None
        if coupon_code.strip():
            found = _coupon_for(course, coupon_code)
            coupon = pricing.coupon_check(
                found, code=coupon_code, now=now, uses=_coupon_uses(found) if found else 0
            )
        quote = pricing.quote(offered.price, coupon)
        order = Order.objects.create(
            number=_new_number(),
            user=learner,
            course=course,
            track=offered.slug,
            currency=quote.price.currency,
            price=quote.price.amount,
            discount=quote.discount.amount,
            total=quote.total.amount,
            coupon=coupon,
            idempotency_key=key,
            created_at=now,
            updated_at=now,
        )
        OrderHistory.objects.create(
            order=order,
            status_before="",
            status_after=OrderStatus.CREATED,
            actor=learner,
            note=f"{offered.display_name} at {quote.total}"
            + (f" with coupon {coupon.code}" if coupon else ""),
            created_at=now,
        )
        if quote.total.is_free:
            order.processor = FREE_PROCESSOR
            order.save(update_fields=["processor"])
            order_transition(
                order, OrderStatus.PAID, actor=learner, note="Nothing to pay (coupon)."
            )
    return order
