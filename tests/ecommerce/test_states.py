"""The order's transition table, as a truth table, and its history rows."""

from __future__ import annotations

import itertools

import pytest

from enrollment_tracks.core.errors import Conflict
from enrollment_tracks.ecommerce.models import OrderHistory
from enrollment_tracks.ecommerce.states import TRANSITIONS, OrderStatus, may_move, order_transition
from tests.ecommerce.conftest import checkout

S = OrderStatus
ALLOWED = {
    (S.CREATED, S.PENDING),
    (S.CREATED, S.PAID),
    (S.CREATED, S.FAILED),
    (S.CREATED, S.CANCELLED),
    (S.PENDING, S.PAID),
    (S.PENDING, S.FAILED),
    (S.PENDING, S.CANCELLED),
    (S.PAID, S.FULFILLED),
    (S.PAID, S.REFUNDED),
    (S.FULFILLED, S.REFUNDED),
    (S.FAILED, S.PAID),
    (S.CANCELLED, S.PAID),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_transition_table(current, target):
    assert may_move(current, target) is ((current, target) in ALLOWED)


def test_refunded_is_final():
    assert TRANSITIONS[S.REFUNDED] == frozenset()


@pytest.mark.django_db
def test_a_refused_move_raises_and_writes_no_history(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)  # pending
    before = OrderHistory.objects.count()
    with pytest.raises(Conflict) as caught:
        order_transition(order, S.FULFILLED, actor=None, note="")
    assert caught.value.code == "invalid_order_transition"
    assert caught.value.message == (
        f"Order {order.number} is awaiting payment; it cannot become fulfilled."
    )
    assert OrderHistory.objects.count() == before


@pytest.mark.django_db
def test_history_is_append_only(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    row = OrderHistory.objects.filter(order=order).first()
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        OrderHistory.objects.filter(order=order).delete()
    with pytest.raises(TypeError):
        OrderHistory.objects.update(note="x")
