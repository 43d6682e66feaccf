"""Webhooks through the sandbox processor: stored first, processed from the stored row,
replays and out-of-order deliveries are no-ops, bad deliveries are rejected and stored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.conf import settings

from enrollment_tracks.ecommerce.models import LedgerEntry, ProcessorEvent
from enrollment_tracks.ecommerce.processors.signatures import signature_header
from enrollment_tracks.ecommerce.refunds import order_refund
from enrollment_tracks.ecommerce.webhooks import processor_event_process
from enrollment_tracks.enrollments.models import Enrollment
from tests.ecommerce.conftest import NOW, buy, checkout

pytestmark = pytest.mark.django_db

URL = "/ecommerce/webhooks/sandbox/"


def sandbox_event(order, event_type="payment.succeeded", *, event_id="sbx_evt_1", amount=None):
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "order_number": order.number,
            "payment_reference": f"sbx_pi_for_{order.number}",
            "amount": str(order.total if amount is None else amount),
            "currency": order.currency,
            "created": int(NOW.timestamp()),
        }
    ).encode()


def deliver(client, body: bytes, *, at: dt.datetime = NOW, secret: str | None = None):
    header = signature_header(secret or settings.SANDBOX_WEBHOOK_SECRET, body, int(at.timestamp()))
    return client.post(URL, body, content_type="application/json", HTTP_SANDBOX_SIGNATURE=header)


def process_all() -> list[str]:
    return [
        processor_event_process(pk)
        for pk in ProcessorEvent.objects.filter(status="received").values_list("pk", flat=True)
    ]


def test_payment_event_is_stored_then_processed_from_the_row(
    client, audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)

    response = deliver(client, sandbox_event(order))

    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "pending"  # stored, not yet acted on
    assert process_all() == ["processed"]
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert Enrollment.objects.get(user=audit_learner).track == "verified"


def test_a_replayed_event_is_a_no_op(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    deliver(client, sandbox_event(order))
    process_all()

    again = deliver(client, sandbox_event(order))

    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert ProcessorEvent.objects.count() == 1
    row = ProcessorEvent.objects.get()
    assert processor_event_process(row.pk) == "processed"  # the worker running it twice
    assert LedgerEntry.objects.count() == 1


def test_a_payment_event_for_a_paid_order_is_ignored(client, audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order  # paid through the card form
    deliver(client, sandbox_event(order))
    assert process_all() == ["ignored"]
    assert LedgerEntry.objects.count() == 1


def test_a_late_payment_event_after_a_refund_changes_nothing(
    client, audit_learner, verified_course
):
    order = buy(audit_learner, verified_course).order
    order_refund(order=order, actor=audit_learner, by_staff=False)

    deliver(client, sandbox_event(order, event_id="late"))

    assert process_all() == ["ignored"]
    order.refresh_from_db()
    assert order.status == "refunded"
    assert Enrollment.objects.get(user=audit_learner).track == "audit"


def test_a_refund_event_before_the_payment_is_ignored(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    deliver(client, sandbox_event(order, "refund.succeeded", event_id="r1"))
    deliver(client, sandbox_event(order, "payment.succeeded", event_id="p1"))

    statuses = dict(
        zip(
            ["r1", "p1"],
            [
                processor_event_process(ProcessorEvent.objects.get(event_id=i).pk)
                for i in ["r1", "p1"]
            ],
            strict=True,
        )
    )

    assert statuses == {"r1": "ignored", "p1": "processed"}
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_a_failure_event_after_the_payment_is_ignored(client, audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    deliver(client, sandbox_event(order, "payment.failed", event_id="f1"))
    assert process_all() == ["ignored"]
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_a_failure_event_fails_an_unpaid_order(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    deliver(client, sandbox_event(order, "payment.failed", event_id="f1"))
    assert process_all() == ["processed"]
    order.refresh_from_db()
    assert order.status == "failed"


def test_a_payment_of_the_wrong_amount_is_not_taken(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    deliver(client, sandbox_event(order, amount=Decimal("1.00")))
    assert process_all() == ["ignored"]
    row = ProcessorEvent.objects.get()
    assert "captured $1.00" in row.error
    order.refresh_from_db()
    assert order.status == "pending"


def test_an_event_for_no_known_order_is_ignored(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    order.number = "ET-NOSUCH"
    deliver(client, sandbox_event(order))
    assert process_all() == ["ignored"]
    assert ProcessorEvent.objects.get().error == "No order matches this event."


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ({"secret": "not-the-secret"}, "bad_signature"),
        ({"at": NOW - dt.timedelta(seconds=301)}, "bad_signature"),
        ({"at": NOW + dt.timedelta(seconds=301)}, "bad_signature"),
    ],
    ids=["bad signature", "stale timestamp", "future timestamp"],
)
def test_bad_deliveries_are_rejected_stored_and_change_nothing(
    client, audit_learner, verified_course, how, code
):
    order = checkout(audit_learner, verified_course)

    response = deliver(client, sandbox_event(order), **how)

    assert response.status_code == 400
    assert response.json()["code"] == code
    row = ProcessorEvent.objects.get()
    assert (row.status, row.event_id) == ("rejected", None)
    order.refresh_from_db()
    assert order.status == "pending"


def test_an_unknown_event_type_is_rejected_and_stored(client, audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    response = deliver(client, sandbox_event(order, "payment.teleported"))
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_event"
    assert ProcessorEvent.objects.get().status == "rejected"


def test_a_malformed_body_is_rejected(client, shop):
    response = deliver(client, b"not json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_event"


def test_the_webhook_takes_only_post_and_needs_no_csrf_token(client, shop):
    from django.test import Client

    assert client.get(URL).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, b"{}", content_type="application/json").status_code == 400
