"""Refunds: the learner within the window and before a certificate, staff any paid order with
a reason; the track goes back to the default free one (or the learner is unenrolled)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, NotFound, ValidationFailed
from enrollment_tracks.courses.models import CourseAccessRole
from enrollment_tracks.ecommerce import adapters
from enrollment_tracks.ecommerce.models import LedgerEntry, Refund
from enrollment_tracks.ecommerce.refunds import order_refund, refund_deadline
from enrollment_tracks.ecommerce.types import RefundOutcome
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.tracks import catalog
from tests.ecommerce.conftest import NOW, buy, checkout
from tests.factories import UserFactory, make_course_team

pytestmark = pytest.mark.django_db


def test_learner_refunds_within_the_window_and_is_back_on_audit(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order

    refund = order_refund(order=order, actor=audit_learner, by_staff=False)

    order.refresh_from_db()
    assert (order.status, refund.status) == ("refunded", "succeeded")
    assert refund.processor_reference.startswith("sbx_re_")
    enrollment = Enrollment.objects.get(user=audit_learner, course=verified_course)
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    audit = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert (audit.track_before, audit.track_after) == ("verified", "audit")
    assert order.number in audit.reason
    ledger = dict(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))
    assert ledger == {"capture": Decimal("49.00"), "refund": Decimal("49.00")}
    assert OutboxMessage.objects.filter(key=f"order:{order.number}:refund").count() == 1


def test_refund_window_is_14_days_from_payment_or_course_start(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    assert refund_deadline(order) == NOW + dt.timedelta(days=14)

    with (
        clock.frozen_at(NOW + dt.timedelta(days=14, seconds=1)),
        pytest.raises(ValidationFailed) as caught,
    ):
        order_refund(order=order, actor=audit_learner, by_staff=False)
    assert caught.value.code == "refund_window_closed"
    assert "refund window of 14 days closed" in caught.value.message
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert not Refund.objects.exists()


def test_refunding_twice_is_refused(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    order_refund(order=order, actor=audit_learner, by_staff=False)

    with pytest.raises(Conflict) as caught:
        order_refund(order=order, actor=audit_learner, by_staff=False)

    assert caught.value.code == "already_refunded"
    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert EnrollmentAudit.objects.filter(track_after="audit", track_before="verified").count() == 1


def test_no_refund_after_a_certificate_was_issued(audit_learner, verified_course, monkeypatch):
    order = buy(audit_learner, verified_course).order
    issue_certificate(order)

    with pytest.raises(ValidationFailed) as caught:
        order_refund(order=order, actor=audit_learner, by_staff=False)

    assert caught.value.code == "not_refundable"
    assert "certificate was issued" in caught.value.message


def issue_certificate(order) -> None:
    """A certificate in the issued state for the order's enrollment (the certificates app's own
    issuing needs grades and a verification; only the state matters to refunds)."""
    from enrollment_tracks.certificates.models import Certificate

    enrollment = Enrollment.objects.get(user=order.user, course=order.course)
    Certificate.objects.create(
        enrollment=enrollment,
        user=order.user,
        course=order.course,
        track=enrollment.track,
        name=order.user.name,
        issued_at=clock.now(),
    )
    assert adapters.certificate_issued(order.user_id, order.course_id)


def test_without_the_certificates_app_no_certificate_counts(audit_learner, monkeypatch):
    monkeypatch.setattr(adapters, "CERTIFICATES_APP", "enrollment_tracks.not_installed")
    assert adapters.certificate_issued(audit_learner.pk, 1) is False


def test_another_learner_cannot_refund_my_order(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    with pytest.raises(NotFound):
        order_refund(order=order, actor=UserFactory(), by_staff=False)


def test_an_unpaid_order_has_nothing_to_refund(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    with pytest.raises(ValidationFailed) as caught:
        order_refund(order=order, actor=audit_learner, by_staff=False)
    assert caught.value.code == "not_refundable"


def test_staff_refunds_after_the_window_and_a_certificate_with_a_reason(
    audit_learner, verified_course
):
    order = buy(audit_learner, verified_course).order
    issue_certificate(order)
    staff = make_course_team(verified_course)

    with clock.frozen_at(NOW + dt.timedelta(days=60)):
        with pytest.raises(ValidationFailed) as caught:
            order_refund(order=order, actor=staff, reason="  ", by_staff=True)
        assert (caught.value.code, caught.value.field) == ("reason_required", "reason")
        order_refund(order=order, actor=staff, reason="Bought by mistake", by_staff=True)

    order.refresh_from_db()
    assert order.status == "refunded"
    audit = EnrollmentAudit.objects.filter(track_after="audit").first()
    assert (audit.actor, audit.track_before) == (staff, "verified")
    assert order.number in audit.reason
    assert "Bought by mistake" in audit.reason
    assert order.history.last().actor == staff


def test_refund_in_a_paywalled_course_unenrolls(learner, paywalled_course):
    order = buy(learner, paywalled_course, catalog.NO_ID_PROFESSIONAL).order
    order_refund(order=order, actor=learner, by_staff=False)
    enrollment = Enrollment.objects.get(user=learner, course=paywalled_course)
    assert (enrollment.is_active, enrollment.track) == (False, "no-id-professional")
    audit = EnrollmentAudit.objects.filter(enrollment=enrollment).first()
    assert audit.transition == "from enrolled to unenrolled"
    assert order.number in audit.reason


def test_a_learner_moved_elsewhere_keeps_their_track(audit_learner, verified_course):
    """The refund takes back only what the order gave."""
    from enrollment_tracks.enrollments.services import enrollment_change_track
    from tests.factories import make_track

    make_track(verified_course, catalog.HONOR)
    order = buy(audit_learner, verified_course).order
    enrollment_change_track(
        actor=None, learner=audit_learner, course=verified_course, track="honor", reason="x"
    )
    order_refund(order=order, actor=audit_learner, by_staff=False)
    assert Enrollment.objects.get(user=audit_learner).track == "honor"


class RefusingProcessor:
    """The sandbox, except that the provider refuses refunds (a test double for a provider)."""

    def __new__(cls):
        from enrollment_tracks.ecommerce.processors.sandbox import SandboxProcessor

        processor = SandboxProcessor()
        processor.refund = lambda request: RefundOutcome(  # type: ignore[method-assign]
            succeeded=False, message="charge already disputed"
        )
        return processor


def test_a_refund_the_processor_refuses_changes_nothing_and_can_be_retried(
    audit_learner, verified_course, settings
):
    order = buy(audit_learner, verified_course).order
    settings.ECOMMERCE_PROCESSOR = f"{__name__}.RefusingProcessor"

    with pytest.raises(Conflict) as caught:
        order_refund(order=order, actor=audit_learner, by_staff=False)

    assert caught.value.code == "refund_failed"
    assert "charge already disputed" in caught.value.message
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert Enrollment.objects.get(user=audit_learner).track == "verified"
    assert Refund.objects.get().status == "failed"

    settings.ECOMMERCE_PROCESSOR = "enrollment_tracks.ecommerce.processors.sandbox.SandboxProcessor"
    refund = order_refund(order=order, actor=audit_learner, by_staff=False)
    assert refund.idempotency_key == f"refund:{order.number}:2"


def test_a_course_team_member_of_the_course_refunds_as_staff(audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    member = UserFactory()
    CourseAccessRole.objects.create(user=member, course=verified_course, role="instructor")
    order_refund(order=order, actor=member, reason="Goodwill", by_staff=True)
    order.refresh_from_db()
    assert order.status == "refunded"


def test_refund_of_a_free_order_moves_no_money(audit_learner, verified_course):
    from enrollment_tracks.ecommerce.services import coupon_create

    coupon_create(actor=None, course=verified_course, code="ALL", kind="percentage", value="100")
    order = buy(audit_learner, verified_course, coupon_code="ALL").order
    order_refund(order=order, actor=audit_learner, by_staff=False)
    order.refresh_from_db()
    assert order.status == "refunded"
    assert not LedgerEntry.objects.exists()
    assert Enrollment.objects.get(user=audit_learner).track == "audit"
