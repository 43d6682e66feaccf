"""The Stripe processor, through the real `stripe` SDK, against a local server that speaks the
Stripe endpoints we call and signs webhooks as Stripe does."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from enrollment_tracks.core.errors import Conflict
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import LedgerEntry, Order, ProcessorEvent
from enrollment_tracks.ecommerce.processors import processor_get
from enrollment_tracks.ecommerce.refunds import order_refund
from enrollment_tracks.ecommerce.tasks import processor_event_process
from enrollment_tracks.ecommerce.types import CheckoutRequest
from enrollment_tracks.enrollments.models import Enrollment
from tests.ecommerce import fake_stripe
from tests.ecommerce.conftest import checkout

pytestmark = pytest.mark.django_db

WEBHOOK = "/ecommerce/webhooks/stripe/"


@pytest.fixture
def stripe_api(settings):
    state = fake_stripe.FakeStripe()
    server, url = fake_stripe.start(state)
    settings.ECOMMERCE_PROCESSOR = "enrollment_tracks.ecommerce.processors.stripe.StripeProcessor"
    settings.STRIPE_API_BASE = url
    settings.STRIPE_SECRET_KEY = fake_stripe.API_KEY
    settings.STRIPE_WEBHOOK_SECRET = fake_stripe.WEBHOOK_SECRET
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def post_event(client, body: bytes, header: str | None = None):
    return client.post(
        WEBHOOK,
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header if header is not None else fake_stripe.signed(body),
    )


def completed_event(session: dict, event_id: str = "evt_1") -> bytes:
    return fake_stripe.event("checkout.session.completed", session, event_id=event_id)


def test_checkout_creates_a_checkout_session_with_an_idempotency_key(
    stripe_api, audit_learner, verified_course
):
    result = services.order_checkout(
        learner=audit_learner, course=verified_course, track="verified", idempotency_key="k"
    )

    order = Order.objects.get(number=result.order_number)
    (call,) = stripe_api.posts("/v1/checkout/sessions")
    assert call.idempotency_key == f"order:{order.number}:checkout"
    assert call.authorization == f"Bearer {fake_stripe.API_KEY}"
    assert call.form["line_items[0][price_data][unit_amount]"] == "4900"
    assert call.form["line_items[0][price_data][currency]"] == "usd"
    assert call.form["client_reference_id"] == order.number
    assert call.form["success_url"].endswith(
        f"/orders/{order.number}/return/?session_id={{CHECKOUT_SESSION_ID}}"
    )
    assert (order.status, order.processor) == ("pending", "stripe")
    assert order.checkout_reference == "cs_test_1"
    assert (
        result.redirect_url == order.payment_url == "https://checkout.stripe.test/c/pay/cs_test_1"
    )


def test_a_retried_session_create_is_answered_with_the_same_session(stripe_api, shop):
    processor = processor_get()
    request = CheckoutRequest(
        order_number="ET-1",
        amount=Money(__import__("decimal").Decimal("12.50"), "eur"),
        description="x",
        customer_email="a@example.org",
        return_url="http://127.0.0.1:8000/orders/ET-1/return/",
        cancel_url="http://127.0.0.1:8000/orders/ET-1/pay/",
        idempotency_key="order:ET-1:checkout",
    )
    first = processor.checkout_start(request)
    second = processor.checkout_start(request)
    assert first == second
    assert len(stripe_api.sessions) == 1
    assert (
        stripe_api.posts("/v1/checkout/sessions")[0].form["line_items[0][price_data][unit_amount]"]
        == "1250"
    )


def test_the_return_page_confirms_a_paid_session(
    stripe_api, client, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    stripe_api.complete(order.checkout_reference)
    client.force_login(audit_learner)

    response = client.get(
        reverse("ecommerce:order-return", args=[order.number]),
        {"session_id": order.checkout_reference},
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.payment_reference) == ("fulfilled", "pi_1")
    assert Enrollment.objects.get(user=audit_learner).track == "verified"


def test_the_return_page_with_an_unpaid_session_changes_nothing(
    stripe_api, client, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    client.force_login(audit_learner)
    client.get(
        reverse("ecommerce:order-return", args=[order.number]),
        {"session_id": order.checkout_reference},
    )
    client.get(reverse("ecommerce:order-return", args=[order.number]), {"session_id": "cs_other"})
    order.refresh_from_db()
    assert order.status == "pending"


def test_checkout_session_completed_webhook_fulfils(
    stripe_api, client, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    session = stripe_api.complete(order.checkout_reference)

    response = post_event(client, completed_event(session))

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False, "event": "evt_1"}
    row = ProcessorEvent.objects.get(event_id="evt_1")
    assert (row.status, row.order_number, row.kind) == (
        "received",
        order.number,
        "payment_succeeded",
    )
    assert processor_event_process.call(row.pk) == "processed"
    order.refresh_from_db()
    assert order.status == "fulfilled"

    replay = post_event(client, completed_event(session))
    assert replay.json()["duplicate"] is True
    assert ProcessorEvent.objects.filter(event_id="evt_1").count() == 1
    assert processor_event_process.call(row.pk) == "processed"
    assert LedgerEntry.objects.count() == 1


def test_the_webhook_is_queued_in_the_same_transaction(
    stripe_api, client, audit_learner, verified_course
):
    from django_tasks_db.models import DBTaskResult

    order = checkout(audit_learner, verified_course)
    post_event(client, completed_event(stripe_api.complete(order.checkout_reference)))
    row = ProcessorEvent.objects.get()
    queued = DBTaskResult.objects.filter(task_path__endswith="processor_event_process")
    assert [result.args_kwargs["args"] for result in queued] == [[row.pk]]


@pytest.mark.parametrize(
    ("header", "error"),
    [
        (lambda body: fake_stripe.signed(body, secret="whsec_wrong"), "bad_signature"),
        (lambda body: fake_stripe.signed(body, at=int(time.time()) - 301), "bad_signature"),
        (lambda body: "t=1,v1=deadbeef", "bad_signature"),
        (lambda body: "", "bad_signature"),
    ],
    ids=["wrong secret", "stale timestamp", "forged", "missing"],
)
def test_unsigned_or_stale_webhooks_are_rejected_and_stored(
    stripe_api, client, audit_learner, verified_course, header, error
):
    order = checkout(audit_learner, verified_course)
    body = completed_event(stripe_api.complete(order.checkout_reference))

    response = post_event(client, body, header(body))

    assert response.status_code == 400
    assert response.json()["code"] == error
    row = ProcessorEvent.objects.get()
    assert (row.status, row.event_id) == ("rejected", None)
    assert row.error.startswith(error)
    assert body.decode() == row.raw_body
    order.refresh_from_db()
    assert order.status == "pending"


def test_unknown_event_types_are_rejected_and_stored(stripe_api, client, shop):
    body = fake_stripe.event("customer.created", {"id": "cus_1"}, event_id="evt_9")
    response = post_event(client, body)
    assert response.status_code == 400
    row = ProcessorEvent.objects.get()
    assert row.status == "rejected"
    assert "unknown_event" in row.error


def test_refund_goes_through_stripe_with_its_idempotency_key(
    stripe_api, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    stripe_api.complete(order.checkout_reference)
    services.order_payment_confirm(
        order=order, fields={"session_id": order.checkout_reference}, actor=audit_learner
    )
    order.refresh_from_db()

    refund = order_refund(order=order, actor=audit_learner, by_staff=False)

    (call,) = stripe_api.posts("/v1/refunds")
    assert call.idempotency_key == f"refund:{order.number}:1" == refund.idempotency_key
    assert (call.form["payment_intent"], call.form["amount"]) == ("pi_1", "4900")
    assert refund.processor_reference.startswith("re_test_")
    assert Enrollment.objects.get(user=audit_learner).track == "audit"


def test_a_refund_stripe_refuses_leaves_the_order_fulfilled(
    stripe_api, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    stripe_api.complete(order.checkout_reference)
    services.order_payment_confirm(
        order=order, fields={"session_id": order.checkout_reference}, actor=audit_learner
    )
    order.refresh_from_db()
    stripe_api.refuse_refunds = True

    with pytest.raises(Conflict) as caught:
        order_refund(order=order, actor=audit_learner, by_staff=False)

    assert caught.value.code == "refund_failed"
    assert "Charge already refunded" in caught.value.message
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_charge_refunded_webhook_refunds_and_takes_the_track_back(
    stripe_api, client, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    session = stripe_api.complete(order.checkout_reference)
    post_event(client, completed_event(session))
    processor_event_process.call(ProcessorEvent.objects.get(event_id="evt_1").pk)

    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": "pi_1",
        "amount": 4900,
        "amount_refunded": 4900,
        "currency": "usd",
        "metadata": {},
    }
    post_event(client, fake_stripe.event("charge.refunded", charge, event_id="evt_2"))
    status = processor_event_process.call(ProcessorEvent.objects.get(event_id="evt_2").pk)

    assert status == "processed"
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Enrollment.objects.get(user=audit_learner).track == "audit"
    assert LedgerEntry.objects.filter(kind="refund").get().reference == "pi_1"


def test_the_sandbox_path_is_not_found_while_stripe_is_configured(stripe_api, client, shop):
    response = client.post("/ecommerce/webhooks/sandbox/", b"{}", content_type="application/json")
    assert response.status_code == 404
