"""Fulfilment: putting the learner on the track an order paid for, once, and the
reconciliation job that repairs a crash between payment and fulfilment."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import DomainError, NotFound
from enrollment_tracks.core.money import Money
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.ecommerce.states import OrderStatus, order_transition
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.notifications.services import outbox_enqueue
from enrollment_tracks.notifications.types import OutgoingMessage
from enrollment_tracks.tracks import catalog

logger = logging.getLogger(__name__)


#: The audit trail's reason for an enrollment change made by an order (the invariant query
#: tells order fulfilments from staff grants by it).
ORDER_REASON_PREFIX = "E-commerce order "
FREE_PROCESSOR = "free"


def order_reason(number: str, what: str) -> str:
    return f"{ORDER_REASON_PREFIX}{number} {what}"


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _receipt(order: Order) -> OutgoingMessage:
    spec = catalog.CATALOG[order.track]
    return OutgoingMessage(
        key=f"order:{order.number}:receipt",
        to_email=order.user.email,
        message_type="order_receipt",
        context={
            "learner_name": order.user.display_name,
            "platform_name": site_configuration_get().platform_name,
            "course_title": order.course.title,
            "course_key": order.course.key,
            "track_name": spec.display_name,
            "order_number": order.number,
            "price": str(Money(order.price, order.currency)),
            "discount": str(Money(order.discount, order.currency)) if order.discount else "",
            "total": str(Money(order.total, order.currency)),
            "paid_at": f"{order.paid_at:%d %B %Y, %H:%M UTC}" if order.paid_at else "",
            "receipt_url": site_url(reverse("ecommerce:order-receipt", args=[order.number])),
        },
    )


def order_fulfil(*, order_id: int) -> bool:
    """Put the learner on the track the order paid for, once; ``False`` if nothing to do.

    Idempotent: the order row lock and the ``paid → fulfilled`` transition make a second
    call (a double click, a replayed webhook, twenty workers at once) a no-op, so the
    enrollment changes once and one receipt is queued. The enrollment is written by the
    enrollment service with the order number as the audit reason.
    """
    head = Order.objects.filter(pk=order_id).values("user_id", "course_id", "status").first()
    if head is None:
        raise NotFound("No such order.", code="order_not_found")
    if head["status"] != OrderStatus.PAID:
        return False
    with transaction.atomic():
        # Locks in the fixed order: the enrollment (when it exists), then the order.
        # order_by("pk"): the default ordering joins user and course, and FOR UPDATE would
        # lock those rows too (every purchase in a course would wait for the others).
        (
            Enrollment.objects.select_for_update()
            .filter(user_id=head["user_id"], course_id=head["course_id"])
            .order_by("pk")
            .first()
        )
        order = (
            Order.objects.select_for_update(of=("self",))
            .select_related("user", "course")
            .get(pk=order_id)
        )
        if order.status != OrderStatus.PAID:
            return False
        enrollment_create(
            actor=None,
            learner=order.user,
            course=order.course,
            track=order.track,
            reason=order_reason(order.number, "paid"),
        )
        order_transition(
            order, OrderStatus.FULFILLED, actor=None, note=f"Enrolled on {order.track}"
        )
        outbox_enqueue([_receipt(order)])
    return True


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    fulfilled: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def orders_reconcile(*, older_than: dt.timedelta | None = None) -> ReconcileReport:
    """Fulfil orders that were paid but never fulfilled (a crash between the two steps).

    Only orders paid more than ``older_than`` ago (default ``ORDER_RECONCILE_AFTER_SECONDS``)
    are taken, so that a fulfilment in progress is left to finish. Each order is fulfilled in
    its own transaction; one that fails is reported and the others go on.
    """
    age = older_than or dt.timedelta(seconds=settings.ORDER_RECONCILE_AFTER_SECONDS)
    candidates = list(
        Order.objects.filter(status=OrderStatus.PAID, paid_at__lte=clock.now() - age)
        .order_by("paid_at", "id")
        .values_list("pk", "number")
    )
    report = ReconcileReport()
    for pk, number in candidates:
        try:
            if order_fulfil(order_id=pk):
                report.fulfilled.append(number)
        except DomainError as error:
            logger.warning("order %s could not be fulfilled: %s", number, error)
            report.failed[number] = error.message
    return report
