"""The issue's invariants, checked by the selectors an operator runs (and `reconcile_orders`):
a learner on a paid track has a fulfilled, unrefunded order or an audited grant; captured -
refunded = the value of fulfilled orders, per currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.ecommerce.refunds import order_refund
from enrollment_tracks.ecommerce.selectors import money_balances, paid_track_enrollments_unbacked
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_change_track, enrollment_create
from enrollment_tracks.tracks import catalog
from tests.ecommerce.conftest import CARD_DECLINED, CARD_SUCCEEDS, buy
from tests.factories import UserFactory, make_course, make_course_team, make_track

pytestmark = pytest.mark.django_db


def balances() -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    return {
        b.currency: (b.captured, b.refunded, b.fulfilled_value, b.difference)
        for b in money_balances()
    }


def test_purchases_are_backed_and_money_balances(verified_course, shop):
    euro = make_course()
    make_track(euro, catalog.AUDIT, currency="eur")
    make_track(euro, catalog.VERIFIED, price="30.50", currency="eur")
    buyers = UserFactory.create_batch(4)
    buy(buyers[0], verified_course)
    kept = buy(buyers[1], verified_course).order
    order_refund(order=kept, actor=buyers[1], by_staff=False)
    buy(buyers[2], verified_course, card=CARD_DECLINED)
    buy(buyers[3], euro)

    assert not paid_track_enrollments_unbacked().exists()
    assert balances() == {
        "eur": (Decimal("30.50"), Decimal("0.00"), Decimal("30.50"), Decimal("0.00")),
        "usd": (Decimal("98.00"), Decimal("49.00"), Decimal("49.00"), Decimal("0.00")),
    }


def test_an_audited_staff_grant_backs_a_paid_track(verified_course, learner):
    staff = make_course_team(verified_course)
    enrollment_create(
        actor=staff, learner=learner, course=verified_course, track="verified", reason="Scholarship"
    )
    assert not paid_track_enrollments_unbacked().exists()


def test_a_service_client_grant_with_a_reason_backs_a_paid_track(verified_course, learner):
    enrollment_create(
        actor=None, learner=learner, course=verified_course, track="verified", reason="Partner seat"
    )
    assert not paid_track_enrollments_unbacked().exists()


def test_a_paid_track_reached_around_the_services_is_found(audit_learner, verified_course):
    Enrollment.objects.filter(user=audit_learner).update(track="verified")
    assert list(paid_track_enrollments_unbacked().values_list("user_id", flat=True)) == [
        audit_learner.pk
    ]


def test_a_refunded_order_no_longer_backs_the_track(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    order_refund(order=order, actor=audit_learner, by_staff=False)
    # Put back on verified around the services (a bug would do this): nothing backs it.
    Enrollment.objects.filter(user=audit_learner).update(track="verified")
    assert paid_track_enrollments_unbacked().count() == 1


def test_a_paid_but_unfulfilled_order_shows_as_awaiting(audit_learner, verified_course):
    from enrollment_tracks.core.money import Money
    from tests.ecommerce.conftest import checkout

    order = checkout(audit_learner, verified_course)
    services.order_mark_paid(
        order_id=order.pk, payment_reference="pi_x", amount=Money(order.total, "usd")
    )
    (balance,) = money_balances()
    assert (balance.captured, balance.fulfilled_value, balance.paid_unfulfilled_value) == (
        Decimal("49.00"),
        Decimal("0.00"),
        Decimal("49.00"),
    )
    assert balance.difference == 0


ACTIONS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2),  # which learner
        st.sampled_from(["buy", "decline", "refund", "staff_refund", "grant", "coupon"]),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(actions=ACTIONS)
def test_invariants_hold_after_any_sequence_of_actions(verified_course, actions):
    from enrollment_tracks.ecommerce.models import Coupon

    learners = [UserFactory() for _ in range(3)]
    staff = make_course_team(verified_course)
    if not Coupon.objects.filter(course=verified_course, code="HALF").exists():
        services.coupon_create(
            actor=None, course=verified_course, code="HALF", kind="percentage", value="50"
        )
    for who, action in actions:
        learner = learners[who]
        latest = Order.objects.filter(user=learner, status="fulfilled").first()
        try:
            if action == "buy":
                buy(learner, verified_course, card=CARD_SUCCEEDS)
            elif action == "decline":
                buy(learner, verified_course, card=CARD_DECLINED)
            elif action == "coupon":
                buy(learner, verified_course, coupon_code="HALF")
            elif action == "refund" and latest:
                order_refund(order=latest, actor=learner, by_staff=False)
            elif action == "staff_refund" and latest:
                order_refund(order=latest, actor=staff, reason="Support", by_staff=True)
            elif action == "grant":
                enrollment_create(actor=staff, learner=learner, course=verified_course)
                enrollment_change_track(
                    actor=staff,
                    learner=learner,
                    course=verified_course,
                    track="verified",
                    reason="Grant",
                )
        except DomainError:
            pass  # refused actions (already on the track, ...) change nothing
        assert not paid_track_enrollments_unbacked().exists()
        assert all(b.difference == 0 for b in money_balances())
