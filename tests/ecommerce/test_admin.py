"""The admin: every e-commerce changelist loads for a superuser, orders are read-only, and a
coupon added there goes through the coupon service's rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from enrollment_tracks.ecommerce.models import Coupon
from tests.ecommerce.conftest import buy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["order", "coupon", "refund", "ledgerentry", "processorevent"])
def test_changelists_load(admin_client, audit_learner, verified_course, model):
    buy(audit_learner, verified_course)
    response = admin_client.get(reverse(f"admin:ecommerce_{model}_changelist"))
    assert response.status_code == 200


def test_an_order_is_read_only(admin_client, audit_learner, verified_course):
    order = buy(audit_learner, verified_course).order
    page = admin_client.get(reverse("admin:ecommerce_order_change", args=[order.pk]))
    assert page.status_code == 200
    assert "fulfilled" in page.content.decode()
    assert admin_client.get(reverse("admin:ecommerce_order_add")).status_code == 403
    posted = admin_client.post(
        reverse("admin:ecommerce_order_delete", args=[order.pk]), {"post": "yes"}
    )
    assert posted.status_code == 403


def test_adding_a_coupon_goes_through_the_service(admin_client, verified_course):
    response = admin_client.post(
        reverse("admin:ecommerce_coupon_add"),
        {
            "course": verified_course.pk,
            "code": "spring-10",
            "kind": "percentage",
            "value": "10",
            "currency": "",
            "max_uses": "5",
            "expires_at_0": "",
            "expires_at_1": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.max_uses) == ("SPRING-10", 5)


def test_a_coupon_the_service_refuses_is_not_saved(admin_client, verified_course):
    admin_client.post(
        reverse("admin:ecommerce_coupon_add"),
        {
            "course": verified_course.pk,
            "code": "bad code",
            "kind": "percentage",
            "value": "10",
            "is_active": "on",
        },
        follow=True,
    )
    assert not Coupon.objects.exists()


def test_learners_cannot_open_the_admin(audit_learner):
    client = Client()
    client.force_login(audit_learner)
    response = client.get(reverse("admin:ecommerce_order_changelist"))
    assert response.status_code == 302
