"""Fulfilment is idempotent, and a crash between payment and fulfilment is repaired by the
reconciliation job."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from enrollment_tracks.core import clock
from enrollment_tracks.core.money import Money
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import Order, OrderHistory
from enrollment_tracks.ecommerce.tasks import orders_reconcile_run
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.services import course_track_delete
from tests.ecommerce.conftest import NOW, buy, checkout
from tests.factories import UserFactory, make_course, make_track

pytestmark = pytest.mark.django_db


def paid_but_not_fulfilled(learner, course) -> Order:
    """The state a crash right after the capture leaves: paid, enrollment unchanged."""
    order = checkout(learner, course)
    assert services.order_mark_paid(
        order_id=order.pk,
        payment_reference=f"sbx_pi_crash_{order.number}",
        amount=Money(order.total, order.currency),
    )
    order.refresh_from_db()
    return order


def test_fulfilling_twice_changes_the_enrollment_once_and_sends_one_receipt(
    audit_learner, verified_course
):
    order = paid_but_not_fulfilled(audit_learner, verified_course)

    assert services.order_fulfil(order_id=order.pk) is True
    assert services.order_fulfil(order_id=order.pk) is False  # double click, webhook replay

    assert EnrollmentAudit.objects.filter(track_after="verified").count() == 1
    assert OutboxMessage.objects.filter(message_type="order_receipt").count() == 1
    assert OrderHistory.objects.filter(order=order, status_after="fulfilled").count() == 1


def test_marking_paid_twice_records_one_capture(audit_learner, verified_course):
    order = paid_but_not_fulfilled(audit_learner, verified_course)
    again = services.order_mark_paid(
        order_id=order.pk,
        payment_reference=order.payment_reference,
        amount=Money(order.total, "usd"),
    )
    assert again is False
    assert order.ledger.count() == 1


def test_a_capture_of_another_amount_is_refused(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    with pytest.raises(Exception, match="captured") as caught:
        services.order_mark_paid(
            order_id=order.pk, payment_reference="x", amount=Money(order.total / 2, "usd")
        )
    assert caught.value.code == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == "pending"


def test_fulfilling_an_unpaid_order_does_nothing(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    assert services.order_fulfil(order_id=order.pk) is False
    assert Enrollment.objects.get(user=audit_learner).track == "audit"


def test_reconciliation_fulfils_paid_orders_left_behind(audit_learner, verified_course):
    order = paid_but_not_fulfilled(audit_learner, verified_course)

    with clock.frozen_at(NOW + dt.timedelta(seconds=60)):
        assert services.orders_reconcile().fulfilled == []  # too fresh: maybe in progress
    with clock.frozen_at(NOW + dt.timedelta(minutes=10)):
        report = services.orders_reconcile()
        again = services.orders_reconcile()

    assert report.fulfilled == [order.number]
    assert again.fulfilled == []
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert Enrollment.objects.get(user=audit_learner).track == "verified"


def stuck_order(learner) -> Order:
    """Paid for a track the course team removed before it could be fulfilled."""
    other_course = make_course()
    make_track(other_course, "audit")
    make_track(other_course, "verified", price=49)
    stuck = paid_but_not_fulfilled(learner, other_course)
    course_track_delete(
        actor=None, track=CourseTrack.objects.get(course=other_course, slug="verified")
    )
    return stuck


def test_reconciliation_reports_an_order_it_cannot_fulfil_and_goes_on(
    audit_learner, verified_course
):
    stuck = stuck_order(audit_learner)
    fine = paid_but_not_fulfilled(UserFactory(), verified_course)

    with clock.frozen_at(NOW + dt.timedelta(minutes=10)):
        report = services.orders_reconcile()

    assert report.fulfilled == [fine.number]
    assert "does not offer" in report.failed[stuck.number]


def test_reconciliation_task_and_command(audit_learner, verified_course):
    paid_but_not_fulfilled(audit_learner, verified_course)
    with clock.frozen_at(NOW + dt.timedelta(minutes=10)):
        result = orders_reconcile_run.call()
    assert len(result["fulfilled"]) == 1

    out = io.StringIO()
    call_command("reconcile_orders", stdout=out)
    assert "usd: captured 49.00, refunded 0.00, fulfilled 49.00" in out.getvalue()


def test_reconcile_command_exits_1_when_an_order_cannot_be_fulfilled(audit_learner):
    stuck = stuck_order(audit_learner)
    err = io.StringIO()
    with clock.frozen_at(NOW + dt.timedelta(minutes=10)), pytest.raises(SystemExit) as caught:
        call_command("reconcile_orders", stdout=io.StringIO(), stderr=err)
    assert caught.value.code == 1
    assert f"Order {stuck.number} could not be fulfilled" in err.getvalue()


def test_a_paid_order_is_fulfilled_even_after_the_deadline(audit_learner, verified_course):
    order = paid_but_not_fulfilled(audit_learner, verified_course)
    with clock.frozen_at(dt.datetime(2027, 7, 1, tzinfo=dt.UTC)):
        assert services.order_fulfil(order_id=order.pk) is True
    assert Enrollment.objects.get(user=audit_learner).track == "verified"


def test_buy_helper_smoke(audit_learner, verified_course):
    assert buy(audit_learner, verified_course).order.status == "fulfilled"


def test_the_worker_maintenance_reconciles_orders(audit_learner, verified_course):
    from enrollment_tracks.membership.maintenance import maintenance_run

    order = paid_but_not_fulfilled(audit_learner, verified_course)
    with clock.frozen_at(NOW + dt.timedelta(minutes=10)):
        assert maintenance_run().orders_fulfilled == 1
    order.refresh_from_db()
    assert order.status == "fulfilled"
