"""E-commerce reads: orders for pages, offers for the track-selection page and the dashboard,
and the invariant queries an operator runs (nothing here writes)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce.models import (
    LedgerEntry,
    LedgerKind,
    Order,
    OrderHistory,
    ProcessorEvent,
    Refund,
)
from enrollment_tracks.ecommerce.services import ORDER_REASON_PREFIX
from enrollment_tracks.ecommerce.states import OrderStatus
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.availability import requires_payment
from enrollment_tracks.tracks.models import CourseTrack
from enrollment_tracks.tracks.selectors import course_tracks
from enrollment_tracks.tracks.types import OfferedTrack

PAID_SLUGS = tuple(spec.slug for spec in catalog.CATALOG.values() if spec.is_paid)


def order_for_learner(*, number: str, learner: User) -> Order:
    """The learner's own order; anybody else's answers ``NotFound`` (a page's 404)."""
    order = (
        Order.objects.select_related("course", "user", "coupon")
        .filter(number=number, user=learner)
        .first()
    )
    if order is None:
        raise NotFound("No such order.", code="order_not_found")
    return order


def order_in_course(*, number: str, course: CourseRun) -> Order:
    order = (
        Order.objects.select_related("course", "user", "coupon")
        .filter(number=number, course=course)
        .first()
    )
    if order is None:
        raise NotFound("This course has no such order.", code="order_not_found")
    return order


def orders_for_learner(learner: User) -> QuerySet[Order]:
    return Order.objects.filter(user=learner).select_related("course").order_by("-created_at")


def orders_for_course(course: CourseRun, *, status: str = "") -> QuerySet[Order]:
    rows = Order.objects.filter(course=course).select_related("user", "coupon")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-id")


def order_history(order: Order) -> QuerySet[OrderHistory]:
    return OrderHistory.objects.filter(order=order).select_related("actor")


def order_refunds(order: Order) -> QuerySet[Refund]:
    return Refund.objects.filter(order=order).select_related("actor")


def tracks_for_sale(course: CourseRun) -> list[OfferedTrack]:
    """The course's tracks a learner can see on the track-selection page, paid and free."""
    return [
        track
        for track in course_tracks(course)
        if track.spec.learner_visible
        and (
            track.spec.self_selectable
            or track.spec.acquisition in (catalog.Acquisition.CHECKOUT, catalog.Acquisition.UPGRADE)
        )
    ]


def is_paid(track: OfferedTrack) -> bool:
    return requires_payment(track.spec, track.price.amount)


def upgrades_for(enrollments: Iterable[Enrollment]) -> dict[int, OfferedTrack]:
    """For each active enrollment that may upgrade today, the track it may buy (by course id).

    One query for all the courses' upgrade tracks.
    """
    rows = [enrollment for enrollment in enrollments if enrollment.is_active]
    wanted: dict[int, tuple[str, ...]] = {}
    for enrollment in rows:
        spec = catalog.CATALOG.get(enrollment.track)
        if spec is not None and spec.upgrade_targets:
            wanted[enrollment.course_id] = spec.upgrade_targets
    if not wanted:
        return {}
    from enrollment_tracks.tracks.selectors import offered_track

    slugs = {slug for targets in wanted.values() for slug in targets}
    offers: dict[int, OfferedTrack] = {}
    stored = CourseTrack.objects.filter(course_id__in=list(wanted), slug__in=slugs).select_related(
        "course"
    )
    for row in stored:
        track = offered_track(row)
        if row.slug in wanted[row.course_id] and track.is_available and is_paid(track):
            offers.setdefault(row.course_id, track)
    return offers


# ---------------------------------------------------------------------------- invariants


def paid_track_enrollments_unbacked() -> QuerySet[Enrollment]:
    """Active enrollments on a paid track with neither a fulfilled (unrefunded) order for that
    track nor an audited grant (a change to that track by a person, or by a service client
    with a reason, that was not an order's fulfilment). Expect none."""
    fulfilled = Order.objects.filter(
        user_id=OuterRef("user_id"),
        course_id=OuterRef("course_id"),
        track=OuterRef("track"),
        status=OrderStatus.FULFILLED,
    )
    grant = (
        EnrollmentAudit.objects.filter(
            learner_id=OuterRef("user_id"),  # one enrollment per learner and course
            course_id=OuterRef("course_id"),
            track_after=OuterRef("track"),
        )
        .exclude(reason__startswith=ORDER_REASON_PREFIX)
        .filter(Q(actor__isnull=False) | ~Q(reason=""))
    )
    return Enrollment.objects.filter(is_active=True, track__in=PAID_SLUGS).exclude(
        Exists(fulfilled) | Exists(grant)
    )


@dataclass(frozen=True, slots=True)
class MoneyBalance:
    currency: str
    captured: Decimal
    refunded: Decimal
    fulfilled_value: Decimal
    paid_unfulfilled_value: Decimal

    @property
    def difference(self) -> Decimal:
        """Captured - refunded - the value of fulfilled orders: zero once nothing is pending."""
        return self.captured - self.refunded - self.fulfilled_value - self.paid_unfulfilled_value


def _cents(value: object) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def money_balances() -> list[MoneyBalance]:
    """Per currency: what the ledger says moved against what the orders say they hold."""
    ledger = {
        (row["currency"], row["kind"]): row["total"]
        for row in LedgerEntry.objects.values("currency", "kind").annotate(total=Sum("amount"))
    }
    held = {
        (row["currency"], row["status"]): row["total"]
        for row in Order.objects.filter(status__in=[OrderStatus.PAID, OrderStatus.FULFILLED])
        .values("currency", "status")
        .annotate(total=Sum("total"))
    }
    ledger = {key: _cents(value) for key, value in ledger.items()}
    held = {key: _cents(value) for key, value in held.items()}
    currencies = sorted({currency for currency, _ in ledger} | {currency for currency, _ in held})
    zero = Decimal("0.00")
    return [
        MoneyBalance(
            currency=currency,
            captured=ledger.get((currency, LedgerKind.CAPTURE), zero),
            refunded=ledger.get((currency, LedgerKind.REFUND), zero),
            fulfilled_value=held.get((currency, OrderStatus.FULFILLED), zero),
            paid_unfulfilled_value=held.get((currency, OrderStatus.PAID), zero),
        )
        for currency in currencies
    ]


def events_rejected() -> QuerySet[ProcessorEvent]:
    return ProcessorEvent.objects.filter(status="rejected")
