"""Coupons: percentage or fixed, per course, with a usage limit and an expiry; a 100 % coupon
fulfils the order without a processor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import LedgerEntry
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.tracks import catalog
from tests.ecommerce.conftest import NOW, buy, checkout
from tests.factories import UserFactory, make_course, make_track

pytestmark = pytest.mark.django_db


def coupon(course, **fields):
    fields.setdefault("code", "SAVE20")
    fields.setdefault("kind", "percentage")
    fields.setdefault("value", "20")
    return services.coupon_create(actor=None, course=course, **fields)


@pytest.mark.parametrize(
    ("kind", "value", "currency", "discount", "total"),
    [
        ("percentage", "20", "", "9.80", "39.20"),
        ("percentage", "33.33", "", "16.33", "32.67"),
        ("fixed", "10", "usd", "10.00", "39.00"),
        ("fixed", "80", "usd", "49.00", "0.00"),  # never below zero
    ],
)
def test_discounts(audit_learner, verified_course, kind, value, currency, discount, total):
    coupon(verified_course, kind=kind, value=value, currency=currency)
    order = checkout(audit_learner, verified_course, coupon_code="save20")
    assert (order.price, order.discount, order.total) == (
        Decimal("49.00"),
        Decimal(discount),
        Decimal(total),
    )
    assert order.coupon.code == "SAVE20"


def test_full_discount_fulfils_without_a_processor(audit_learner, verified_course):
    coupon(verified_course, code="FREE", value="100")

    purchase = buy(audit_learner, verified_course, coupon_code="free")

    order = purchase.order
    assert purchase.outcome is None  # no payment step at all
    assert (order.status, order.total, order.processor) == ("fulfilled", Decimal(0), "free")
    assert Enrollment.objects.get(user=audit_learner).track == "verified"
    assert not LedgerEntry.objects.exists()  # no money moved
    assert OutboxMessage.objects.filter(key=f"order:{order.number}:receipt").exists()


def test_unknown_coupon_names_the_field(audit_learner, verified_course):
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, coupon_code="NOPE")
    assert (caught.value.code, caught.value.field) == ("coupon_unknown", "coupon")


def test_coupon_of_another_course_does_not_apply(audit_learner, verified_course):
    coupon(make_course())
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, coupon_code="SAVE20")
    assert caught.value.code == "coupon_unknown"


def test_expired_coupon_is_refused(audit_learner, verified_course):
    coupon(verified_course, expires_at=NOW - dt.timedelta(days=1))
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, coupon_code="SAVE20")
    assert caught.value.code == "coupon_expired"


def test_inactive_coupon_is_refused(audit_learner, verified_course):
    found = coupon(verified_course)
    found.is_active = False
    found.save()
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, coupon_code="SAVE20")
    assert caught.value.code == "coupon_unknown"


def test_usage_limit_counts_orders_but_not_failed_ones(verified_course):
    coupon(verified_course, max_uses=1)
    first, second, third = UserFactory.create_batch(3)
    buy(first, verified_course, card="4000000000000002", coupon_code="SAVE20")  # declined
    buy(second, verified_course, coupon_code="SAVE20")

    with pytest.raises(ValidationFailed) as caught:
        checkout(third, verified_course, coupon_code="SAVE20")
    assert caught.value.code == "coupon_used_up"


def test_fixed_coupon_in_another_currency_is_refused(audit_learner, verified_course):
    coupon(verified_course, kind="fixed", value="5", currency="eur")
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, coupon_code="SAVE20")
    assert (caught.value.code, caught.value.field) == ("coupon_currency", "coupon")


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"code": "has space"}, "invalid_coupon_code", "code"),
        ({"code": ""}, "invalid_coupon_code", "code"),
        ({"kind": "bogo"}, "invalid_coupon_kind", "kind"),
        ({"value": "0"}, "invalid_coupon_value", "value"),
        ({"value": "101"}, "invalid_coupon_value", "value"),
        ({"value": "abc"}, "invalid_price", "value"),
        ({"max_uses": 0}, "invalid_max_uses", "max_uses"),
        ({"kind": "fixed", "value": "5", "currency": "xyz"}, "unknown_currency", "currency"),
    ],
)
def test_coupon_create_refuses_bad_input(shop, fields, code, field):
    course = make_course()
    with pytest.raises(ValidationFailed) as caught:
        coupon(course, **fields)
    assert (caught.value.code, caught.value.field) == (code, field)


def test_coupon_codes_are_unique_per_course_regardless_of_case(shop):
    course = make_course()
    coupon(course, code="Spring")
    with pytest.raises(Conflict) as caught:
        coupon(course, code="SPRING")
    assert caught.value.code == "coupon_exists"


def test_quote_shows_the_price_without_writing(audit_learner, verified_course):
    coupon(verified_course)
    quote = services.order_quote(
        course=verified_course, track=catalog.VERIFIED, coupon_code="save20"
    )
    assert (str(quote.price), str(quote.discount), str(quote.total)) == (
        "$49.00",
        "$9.80",
        "$39.20",
    )


def test_paywalled_course_with_coupon(learner, shop):
    course = make_course()
    make_track(course, catalog.NO_ID_PROFESSIONAL, price="99.99")
    coupon(course, kind="percentage", value="50")
    order = buy(learner, course, catalog.NO_ID_PROFESSIONAL, coupon_code="SAVE20").order
    assert (order.discount, order.total, order.status) == (
        Decimal("50.00"),
        Decimal("49.99"),
        "fulfilled",
    )
