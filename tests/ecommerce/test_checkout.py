"""Checkout and payment through the services: the upgrade, the paywall, the sandbox cards, and
every refusal of the issue's bad-input list that concerns checkout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import LedgerEntry, Order, OrderHistory
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.tracks import catalog
from tests.ecommerce.conftest import (
    CARD_DECLINED,
    CARD_NEEDS_CONFIRMATION,
    DEADLINE,
    buy,
    checkout,
)
from tests.factories import UserFactory, make_course, make_track

pytestmark = pytest.mark.django_db


def enrollment_of(learner, course) -> Enrollment:
    return Enrollment.objects.get(user=learner, course=course)


def test_audit_learner_upgrades_to_verified(audit_learner, verified_course):
    purchase = buy(audit_learner, verified_course)

    order = purchase.order
    assert (order.status, order.track, order.total, order.currency) == (
        "fulfilled",
        "verified",
        Decimal("49.00"),
        "usd",
    )
    assert order.number.startswith("ET-")
    enrollment = enrollment_of(audit_learner, verified_course)
    assert (enrollment.track, enrollment.is_active) == ("verified", True)
    audit = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert (audit.track_before, audit.track_after, audit.actor) == ("audit", "verified", None)
    assert order.number in audit.reason
    assert [row.status_after for row in OrderHistory.objects.filter(order=order)] == [
        "created",
        "pending",
        "paid",
        "fulfilled",
    ]
    capture = LedgerEntry.objects.get(order=order)
    assert (capture.kind, capture.amount, capture.reference) == (
        "capture",
        Decimal("49.00"),
        order.payment_reference,
    )
    receipt = OutboxMessage.objects.get(key=f"order:{order.number}:receipt")
    assert (receipt.to_email, receipt.message_type) == (audit_learner.email, "order_receipt")
    assert receipt.context["total"] == "$49.00"


def test_choosing_verified_before_enrolling_enrolls_on_audit_first(learner, verified_course):
    purchase = buy(learner, verified_course)

    assert purchase.order.status == "fulfilled"
    transitions = list(
        EnrollmentAudit.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list("track_before", "track_after")
    )
    assert transitions == [("", "audit"), ("audit", "verified")]


def test_paywalled_course_enrolls_after_payment(learner, paywalled_course):
    order = checkout(learner, paywalled_course, catalog.NO_ID_PROFESSIONAL)
    assert not Enrollment.objects.filter(user=learner).exists()  # nothing before payment

    services.order_payment_confirm(
        order=order, fields={"card_number": "4242 4242 4242 4242"}, actor=learner
    )

    enrollment = enrollment_of(learner, paywalled_course)
    assert (enrollment.track, enrollment.is_active) == ("no-id-professional", True)


def test_declined_card_fails_the_order_and_enrolls_nothing(audit_learner, verified_course):
    purchase = buy(audit_learner, verified_course, card=CARD_DECLINED)

    assert purchase.outcome.status == "declined"
    assert purchase.outcome.message == (
        "Your card was declined. Nothing was charged; try another card."
    )
    assert purchase.order.status == "failed"
    assert enrollment_of(audit_learner, verified_course).track == "audit"
    assert not LedgerEntry.objects.exists()
    assert not OutboxMessage.objects.filter(message_type="order_receipt").exists()


def test_card_needing_confirmation_waits_for_the_second_step(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)

    first = services.order_payment_confirm(
        order=order, fields={"card_number": CARD_NEEDS_CONFIRMATION}, actor=audit_learner
    )
    order.refresh_from_db()
    assert (first.status, order.status) == ("requires_action", "pending")
    assert enrollment_of(audit_learner, verified_course).track == "audit"

    second = services.order_payment_confirm(
        order=order,
        fields={"card_number": CARD_NEEDS_CONFIRMATION, "authentication": "ok"},
        actor=audit_learner,
    )
    order.refresh_from_db()
    assert (second.status, order.status) == ("succeeded", "fulfilled")


def test_malformed_card_number_names_the_field(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    with pytest.raises(ValidationFailed) as caught:
        services.order_payment_confirm(
            order=order, fields={"card_number": "42x"}, actor=audit_learner
        )
    assert (caught.value.code, caught.value.field) == ("invalid_card_number", "card_number")
    order.refresh_from_db()
    assert order.status == "pending"


def test_checkout_after_the_upgrade_deadline_is_refused(audit_learner, verified_course):
    with (
        clock.frozen_at(DEADLINE + dt.timedelta(minutes=1)),
        pytest.raises(ValidationFailed) as caught,
    ):
        checkout(audit_learner, verified_course)
    assert (caught.value.code, caught.value.field) == ("upgrade_deadline_passed", "track")
    assert "passed on 20 June 2027" in caught.value.message
    assert not Order.objects.exists()


def test_checkout_for_a_track_the_course_does_not_offer_is_refused(audit_learner, verified_course):
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, catalog.PROFESSIONAL)
    assert (caught.value.code, caught.value.field) == ("track_not_offered", "track")
    assert caught.value.message == "This course does not offer the Professional track."


def test_checkout_for_an_unknown_track_is_refused(audit_learner, verified_course):
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, "platinum")
    assert (caught.value.code, caught.value.field) == ("unknown_track", "track")


def test_checkout_while_ecommerce_is_off_is_refused(audit_learner, verified_course):
    site_configuration_update(ecommerce_enabled=False)
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course)
    assert (caught.value.code, caught.value.field) == ("ecommerce_disabled", "track")
    assert "E-commerce enabled" in caught.value.message
    assert not Order.objects.exists()


def test_checkout_of_a_free_track_is_refused(audit_learner, verified_course):
    with pytest.raises(ValidationFailed) as caught:
        checkout(audit_learner, verified_course, catalog.AUDIT)
    assert caught.value.code == "track_is_free"


def test_buying_the_track_one_is_already_on_is_refused(audit_learner, verified_course):
    buy(audit_learner, verified_course)
    with pytest.raises(Conflict) as caught:
        checkout(audit_learner, verified_course)
    assert caught.value.code == "already_paid"


def test_upgrade_needs_a_course_with_a_free_track_to_start_from(learner, shop):
    course = make_course()
    make_track(course, catalog.VERIFIED, price=49)
    with pytest.raises(ValidationFailed) as caught:
        checkout(learner, course)
    assert caught.value.code == "not_upgradeable"


def test_paywalled_checkout_outside_the_enrollment_window_is_refused(learner, shop):
    course = make_course(enrollment_end=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    make_track(course, catalog.NO_ID_PROFESSIONAL, price=99)
    with pytest.raises(ValidationFailed) as caught:
        checkout(learner, course, catalog.NO_ID_PROFESSIONAL)
    assert caught.value.code == "enrollment_closed"


def test_same_idempotency_key_answers_the_same_order(audit_learner, verified_course):
    first = services.order_checkout(
        learner=audit_learner, course=verified_course, track="verified", idempotency_key="k1"
    )
    second = services.order_checkout(
        learner=audit_learner, course=verified_course, track="verified", idempotency_key="k1"
    )
    assert first.order_number == second.order_number
    assert Order.objects.count() == 1


def test_a_second_tab_pays_the_open_order_instead_of_a_new_one(audit_learner, verified_course):
    first = checkout(audit_learner, verified_course)
    second = checkout(audit_learner, verified_course)
    assert first.pk == second.pk


def test_confirming_a_paid_order_again_charges_and_enrolls_once(audit_learner, verified_course):
    purchase = buy(audit_learner, verified_course)

    again = services.order_payment_confirm(
        order=purchase.order, fields={"card_number": "4242424242424242"}, actor=audit_learner
    )

    assert again.status == "succeeded"
    assert LedgerEntry.objects.count() == 1
    assert EnrollmentAudit.objects.filter(track_after="verified").count() == 1
    assert OutboxMessage.objects.filter(message_type="order_receipt").count() == 1


def test_paying_a_failed_order_is_refused(audit_learner, verified_course):
    purchase = buy(audit_learner, verified_course, card=CARD_DECLINED)
    with pytest.raises(Conflict) as caught:
        services.order_payment_confirm(
            order=purchase.order, fields={"card_number": "4242424242424242"}, actor=audit_learner
        )
    assert caught.value.code == "order_not_payable"


def test_cancel_an_unpaid_order(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    services.order_cancel(order=order, actor=audit_learner)
    order.refresh_from_db()
    assert order.status == "cancelled"
    with pytest.raises(Conflict):
        services.order_cancel(order=order, actor=audit_learner)


def test_each_learner_pays_their_own_order(verified_course):
    learners = UserFactory.create_batch(2)
    numbers = {buy(learner, verified_course).order.number for learner in learners}
    assert len(numbers) == 2


def test_a_price_pushed_through_the_commerce_api_is_what_checkout_charges(
    audit_learner, verified_course
):
    import json

    from rest_framework.test import APIClient

    staff = UserFactory(is_staff=True)
    client = APIClient()
    client.force_authenticate(staff)
    response = client.put(
        f"/api/commerce/v1/courses/{verified_course.key}/",
        data=json.dumps(
            {
                "id": verified_course.key,
                "modes": [
                    {"name": "audit", "currency": "usd", "price": 0},
                    {
                        "name": "verified",
                        "currency": "usd",
                        "price": 75,
                        "sku": "SKU-75",
                        "expires": "2027-06-20T00:00:00Z",
                    },
                ],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content

    order = checkout(audit_learner, verified_course)

    assert (order.price, order.total) == (Decimal("75.00"), Decimal("75.00"))


def test_the_receipt_and_refund_emails_render(audit_learner, verified_course):
    from enrollment_tracks.ecommerce.refunds import order_refund
    from enrollment_tracks.notifications.services import render

    order = buy(audit_learner, verified_course).order
    receipt = render(OutboxMessage.objects.get(key=f"order:{order.number}:receipt"))
    assert receipt.subject == (f"Your receipt for Paid Things 201 (Verified), order {order.number}")
    assert "Total paid: $49.00" in receipt.body
    assert f"/orders/{order.number}/" in receipt.body
    assert receipt.to == [audit_learner.email]

    order_refund(order=order, actor=audit_learner, by_staff=False)
    refunded = render(OutboxMessage.objects.get(key=f"order:{order.number}:refund"))
    assert refunded.subject == f"Order {order.number} is refunded"
    assert "$49.00 goes back to your card" in refunded.body
