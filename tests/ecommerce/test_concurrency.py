"""Simultaneous fulfilments, payments, webhooks and checkouts on real PostgreSQL connections:
the enrollment changes once, one receipt is queued, one order and one event row exist."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import LedgerEntry, Order, OrderHistory, ProcessorEvent
from enrollment_tracks.ecommerce.webhooks import webhook_receive
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.tracks import catalog
from tests.concurrency import together
from tests.ecommerce.conftest import checkout

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

THREADS = 20


def paid(order: Order) -> Order:
    services.order_mark_paid(
        order_id=order.pk,
        payment_reference=f"sbx_pi_{order.number}",
        amount=Money(order.total, order.currency),
    )
    return order


@pytest.mark.parametrize("course_fixture", ["verified_course", "paywalled_course"])
def test_twenty_concurrent_fulfilments_change_the_enrollment_once(request, learner, course_fixture):
    course = request.getfixturevalue(course_fixture)
    track = catalog.VERIFIED if course_fixture == "verified_course" else catalog.NO_ID_PROFESSIONAL
    order = paid(checkout(learner, course, track))
    audit_before = EnrollmentAudit.objects.filter(learner=learner).count()

    results = together(THREADS, lambda: services.order_fulfil(order_id=order.pk))

    assert Counter(results) == {True: 1, False: THREADS - 1}
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert (enrollment.track, enrollment.is_active) == (track, True)
    assert EnrollmentAudit.objects.filter(learner=learner).count() == audit_before + 1
    assert OutboxMessage.objects.filter(message_type="order_receipt").count() == 1
    assert OrderHistory.objects.filter(order=order, status_after="fulfilled").count() == 1


def test_twenty_concurrent_card_confirmations_charge_once(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)

    results = together(
        THREADS,
        lambda: (
            services.order_payment_confirm(
                order=Order.objects.get(pk=order.pk),
                fields={"card_number": "4242424242424242"},
                actor=None,
            ).status
        ),
    )

    assert set(results) == {"succeeded"}, results
    assert LedgerEntry.objects.count() == 1
    assert EnrollmentAudit.objects.filter(track_after="verified").count() == 1
    assert OutboxMessage.objects.filter(message_type="order_receipt").count() == 1


def test_twenty_deliveries_of_one_webhook_store_one_row(audit_learner, verified_course, settings):
    import json

    from enrollment_tracks.ecommerce.processors.signatures import signature_header
    from tests.ecommerce.conftest import NOW

    order = checkout(audit_learner, verified_course)
    body = json.dumps(
        {
            "id": "evt_same",
            "type": "payment.succeeded",
            "order_number": order.number,
            "payment_reference": "sbx_pi_hook",
            "amount": "49.00",
            "currency": "usd",
            "created": int(NOW.timestamp()),
        }
    ).encode()
    headers = {
        "Sandbox-Signature": signature_header(
            settings.SANDBOX_WEBHOOK_SECRET, body, int(NOW.timestamp())
        )
    }

    results = together(
        THREADS,
        lambda: webhook_receive(processor_name="sandbox", body=body, headers=headers)[1],
    )

    assert Counter(results) == {True: 1, False: THREADS - 1}
    assert ProcessorEvent.objects.count() == 1


def test_a_double_submitted_checkout_makes_one_order(audit_learner, verified_course):
    results = together(
        THREADS,
        lambda: (
            services.order_checkout(
                learner=audit_learner,
                course=verified_course,
                track=catalog.VERIFIED,
                idempotency_key="one-click",
            ).order_number
        ),
    )
    assert len(set(results)) == 1, results
    assert Order.objects.count() == 1


def test_a_coupon_limited_to_one_use_is_used_once(verified_course):
    from enrollment_tracks.core.errors import ValidationFailed
    from tests.factories import UserFactory

    services.coupon_create(
        actor=None, course=verified_course, code="ONCE", kind="percentage", value="10", max_uses=1
    )
    learners = iter(UserFactory.create_batch(THREADS))
    lock = threading.Lock()

    def attempt() -> str:
        with lock:
            learner = next(learners)
        try:
            checkout(learner, verified_course, coupon_code="ONCE")
        except ValidationFailed as error:
            return error.code
        return "ok"

    results = together(THREADS, attempt)

    assert Counter(results) == {"ok": 1, "coupon_used_up": THREADS - 1}


def test_twenty_concurrent_refunds_refund_once(audit_learner, verified_course):
    from enrollment_tracks.core.errors import DomainError
    from enrollment_tracks.ecommerce.models import Refund
    from enrollment_tracks.ecommerce.refunds import order_refund
    from tests.ecommerce.conftest import buy

    order = buy(audit_learner, verified_course).order

    def refund() -> str:
        try:
            order_refund(order=Order.objects.get(pk=order.pk), actor=audit_learner, by_staff=False)
        except DomainError as error:
            return error.code
        return "ok"

    results = together(THREADS, refund)

    assert set(results) <= {"ok", "already_refunded"}, results
    order.refresh_from_db()
    assert order.status == "refunded"
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert Refund.objects.exclude(status="failed").count() == 1
    assert EnrollmentAudit.objects.filter(track_before="verified", track_after="audit").count() == 1
    assert OutboxMessage.objects.filter(message_type="order_refunded").count() == 1
    assert Enrollment.objects.get(user=audit_learner).track == "audit"
