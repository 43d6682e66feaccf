from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce import services
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.ecommerce.processors.sandbox import (
    CARD_DECLINED,
    CARD_NEEDS_CONFIRMATION,
    CARD_SUCCEEDS,
)
from enrollment_tracks.ecommerce.types import PaymentOutcome
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.tracks import catalog
from tests.factories import enable_paid_tracks, make_course, make_track

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
DEADLINE = dt.datetime(2027, 6, 20, tzinfo=dt.UTC)

__all__ = ["CARD_DECLINED", "CARD_NEEDS_CONFIRMATION", "CARD_SUCCEEDS"]


@pytest.fixture(autouse=True)
def _now():
    """Inside the courses' enrollment windows and before their upgrade deadlines."""
    with clock.frozen_at(NOW):
        yield


@pytest.fixture
def shop(db) -> None:
    enable_paid_tracks()


@pytest.fixture
def verified_course(shop) -> CourseRun:
    """Audit (the default) and verified at 49 usd, upgradeable until DEADLINE."""
    course = make_course(
        title="Paid Things 201", start=dt.datetime(2026, 9, 1, tzinfo=dt.UTC), end=None
    )
    make_track(course, catalog.AUDIT)
    make_track(course, catalog.VERIFIED, price=49, upgrade_deadline=DEADLINE)
    return course


@pytest.fixture
def paywalled_course(shop) -> CourseRun:
    """No-id-professional at 99 usd only: no free track, so no default (paywalled)."""
    course = make_course(title="Pro Only 301", start=dt.datetime(2026, 9, 1, tzinfo=dt.UTC))
    make_track(course, catalog.NO_ID_PROFESSIONAL, price=99)
    return course


@pytest.fixture
def audit_learner(verified_course, learner) -> User:
    enrollment_create(actor=learner, learner=learner, course=verified_course)
    return learner


_keys = iter(range(1, 10**9))


@dataclass
class Purchase:
    order: Order
    outcome: PaymentOutcome | None


def checkout(learner: User, course: CourseRun, track: str = catalog.VERIFIED, **kwargs) -> Order:
    kwargs.setdefault("idempotency_key", f"key-{next(_keys)}")
    result = services.order_checkout(learner=learner, course=course, track=track, **kwargs)
    return Order.objects.get(number=result.order_number)


def buy(
    learner: User,
    course: CourseRun,
    track: str = catalog.VERIFIED,
    *,
    card: str = CARD_SUCCEEDS,
    **kwargs,
) -> Purchase:
    """Checkout, then pay with the sandbox card (confirming a second time when asked)."""
    order = checkout(learner, course, track, **kwargs)
    outcome = None
    if order.status == "pending":
        outcome = services.order_payment_confirm(
            order=order, fields={"card_number": card}, actor=learner
        )
        if outcome.status == "requires_action":
            order.refresh_from_db()
            outcome = services.order_payment_confirm(
                order=order, fields={"card_number": card, "authentication": "ok"}, actor=learner
            )
    order.refresh_from_db()
    return Purchase(order=order, outcome=outcome)
