"""The e-commerce pages over HTTP: who may use each (a table), CSRF, the server's price, the
learner's pages and the course team's orders list, CSV, detail and refund."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from enrollment_tracks.ecommerce import adapters
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.tracks import catalog
from tests.ecommerce.conftest import buy, checkout
from tests.factories import UserFactory, make_course, make_course_team

pytestmark = pytest.mark.django_db


def signed_in(user, **options) -> Client:
    client = Client(**options)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def paid(audit_learner, verified_course) -> Order:
    return buy(audit_learner, verified_course).order


@pytest.fixture
def people(audit_learner, verified_course):
    return {
        "anonymous": None,
        "owner": audit_learner,
        "other learner": UserFactory(),
        "course team": make_course_team(verified_course),
        "other course's team": make_course_team(make_course()),
        "global staff": UserFactory(is_staff=True),
    }


LEARNER_PAGES = [
    ("GET", "ecommerce:order-receipt"),
    ("GET", "ecommerce:order-pay"),
    ("GET", "ecommerce:order-return"),
    ("POST", "ecommerce:order-refund"),
    ("POST", "ecommerce:order-cancel"),
]
STAFF_PAGES = [
    ("GET", "ecommerce:staff-orders", False),
    ("GET", "ecommerce:staff-orders-csv", False),
    ("GET", "ecommerce:staff-order", True),
    ("POST", "ecommerce:staff-order-refund", True),
]


@pytest.mark.parametrize(("method", "name"), LEARNER_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("other learner", 404),
        ("course team", 404),
        ("other course's team", 404),
        ("global staff", 404),
    ],
)
def test_order_pages_belong_to_their_learner_only(paid, people, method, name, who, expected):
    client = signed_in(people[who])
    url = reverse(name, args=[paid.number])
    response = client.get(url) if method == "GET" else client.post(url, {"reason": "x"})
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected
    paid.refresh_from_db()
    assert paid.status == "fulfilled"


@pytest.mark.parametrize(("method", "name"), LEARNER_PAGES)
def test_the_owner_may_use_their_order_pages(paid, audit_learner, method, name):
    client = signed_in(audit_learner)
    url = reverse(name, args=[paid.number])
    response = client.get(url) if method == "GET" else client.post(url)
    assert response.status_code in (200, 302)


@pytest.mark.parametrize(("method", "name", "per_order"), STAFF_PAGES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", "login"),
        ("owner", 403),
        ("other learner", 403),
        ("other course's team", 403),
        ("course team", "ok"),
        ("global staff", "ok"),
    ],
)
def test_staff_pages_permission_table(
    paid, people, verified_course, method, name, per_order, who, expected
):
    client = signed_in(people[who])
    args = [verified_course.key, paid.number] if per_order else [verified_course.key]
    url = reverse(name, args=args)
    response = client.get(url) if method == "GET" else client.post(url, {"reason": "Goodwill"})
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif expected == "ok":
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == expected
    paid.refresh_from_db()
    assert (paid.status == "refunded") is (expected == "ok" and method == "POST")


def test_an_order_of_another_course_is_not_found_through_this_course(paid, verified_course):
    other = make_course()
    client = signed_in(make_course_team(other))
    response = client.get(reverse("ecommerce:staff-order", args=[other.key, paid.number]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("ecommerce:checkout", "course"),
        ("ecommerce:order-refund", "order"),
        ("ecommerce:order-cancel", "order"),
        ("ecommerce:order-pay", "order"),
        ("ecommerce:staff-order-refund", "both"),
    ],
)
def test_every_learner_and_staff_post_needs_the_csrf_token(
    paid, audit_learner, verified_course, name, args
):
    user = audit_learner if args != "both" else UserFactory(is_staff=True)
    client = signed_in(user, enforce_csrf_checks=True)
    url = reverse(
        name,
        args={
            "course": [verified_course.key],
            "order": [paid.number],
            "both": [verified_course.key, paid.number],
        }[args],
    )
    assert client.post(url, {"track": "verified", "reason": "x"}).status_code == 403


def test_choose_page_shows_free_and_paid_side_by_side(audit_learner, verified_course):
    response = signed_in(audit_learner).get(reverse("ecommerce:choose", args=[verified_course.key]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-track="audit"' in html
    assert 'data-track="verified"' in html
    assert "Upgrade for $49.00" in html
    assert "Needed for the certificate" in html  # ID verification
    assert "Upgrade by" in html
    assert "20 June 2027" in html


def test_choose_page_needs_login(verified_course):
    response = Client().get(reverse("ecommerce:choose", args=[verified_course.key]))
    assert response.status_code == 302


def test_open_edx_path_of_the_choose_page(audit_learner, verified_course):
    response = signed_in(audit_learner).get(f"/course_modes/choose/{verified_course.key}/")
    assert response.status_code == 200


def test_choose_page_says_why_verified_is_unavailable_while_ecommerce_is_off(
    audit_learner, verified_course
):
    from enrollment_tracks.core.services import site_configuration_update

    site_configuration_update(ecommerce_enabled=False)
    html = (
        signed_in(audit_learner)
        .get(reverse("ecommerce:choose", args=[verified_course.key]))
        .content.decode()
    )
    assert "e-commerce is not enabled" in html
    assert "Upgrade for" not in html


def test_tampered_price_and_currency_are_ignored(audit_learner, verified_course):
    client = signed_in(audit_learner)
    response = client.post(
        reverse("ecommerce:checkout", args=[verified_course.key]),
        {
            "track": "verified",
            "idempotency_key": "k-tamper",
            "price": "0.01",
            "amount": "0.01",
            "total": "0",
            "currency": "jpy",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ecommerce:order-pay", args=[order.number])
    assert (order.price, order.total, order.currency) == (Decimal("49.00"), Decimal("49.00"), "usd")


def test_checkout_errors_are_shown_on_the_page(audit_learner, verified_course):
    response = signed_in(audit_learner).post(
        reverse("ecommerce:checkout", args=[verified_course.key]),
        {"track": "professional", "idempotency_key": "k"},
    )
    assert response.status_code == 400
    assert "This course does not offer the Professional track." in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_without_a_key_names_the_field(audit_learner, verified_course):
    response = signed_in(audit_learner).post(
        reverse("ecommerce:checkout", args=[verified_course.key]), {"track": "verified"}
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_after_upgrading_to_verified_an_unverified_learner_goes_to_id_verification(
    audit_learner, verified_course
):
    order = checkout(audit_learner, verified_course)
    response = signed_in(audit_learner).post(
        reverse("ecommerce:order-pay", args=[order.number]), {"card_number": "4242424242424242"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("verification:start")
    assert adapters.user_is_verified(audit_learner.pk) is False


def test_card_form_pays_and_goes_to_the_receipt(audit_learner, verified_course, monkeypatch):
    monkeypatch.setattr(adapters, "VERIFICATION_APP", "enrollment_tracks.not_installed")
    order = checkout(audit_learner, verified_course)
    client = signed_in(audit_learner)
    response = client.post(
        reverse("ecommerce:order-pay", args=[order.number]),
        {"card_number": "4242 4242 4242 4242", "amount": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("ecommerce:order-receipt", args=[order.number])
    receipt = client.get(response["Location"]).content.decode()
    assert "Payment received: you are on the Verified track." in receipt
    assert "Fulfilled" in receipt
    assert "Refund this order" in receipt


def test_declined_card_says_so_with_status_402(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    response = signed_in(audit_learner).post(
        reverse("ecommerce:order-pay", args=[order.number]), {"card_number": "4000000000000002"}
    )
    assert response.status_code == 402
    html = response.content.decode()
    assert "Your card was declined." in html
    assert "Nothing was charged and your enrollment is unchanged." in html
    assert Enrollment.objects.get(user=audit_learner).track == "audit"


def test_card_needing_confirmation_shows_the_confirm_step(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    client = signed_in(audit_learner)
    url = reverse("ecommerce:order-pay", args=[order.number])
    first = client.post(url, {"card_number": "4000002760003184"})
    assert "Your bank asks you to confirm" in first.content.decode()
    second = client.post(url, {"card_number": "4000002760003184", "authentication": "ok"})
    assert second.status_code == 302
    order.refresh_from_db()
    assert order.status == "fulfilled"


def test_empty_card_number_names_the_field(audit_learner, verified_course):
    order = checkout(audit_learner, verified_course)
    response = signed_in(audit_learner).post(
        reverse("ecommerce:order-pay", args=[order.number]), {"card_number": ""}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_learner_refund_button(paid, audit_learner):
    client = signed_in(audit_learner)
    response = client.post(reverse("ecommerce:order-refund", args=[paid.number]), follow=True)
    assert "is refunded; you are back on the free track" in response.content.decode()
    assert Enrollment.objects.get(user=audit_learner).track == "audit"


def test_dashboard_and_course_page_offer_the_upgrade_until_the_deadline(
    audit_learner, verified_course
):
    import datetime as dt

    from enrollment_tracks.core import clock
    from tests.ecommerce.conftest import DEADLINE

    client = signed_in(audit_learner)
    choose = reverse("ecommerce:choose", args=[verified_course.key])
    assert choose in client.get(reverse("web:dashboard")).content.decode()
    about = client.get(reverse("web:course-about", args=[verified_course.key])).content.decode()
    assert "Upgrade to Verified" in about
    with clock.frozen_at(DEADLINE + dt.timedelta(seconds=1)):
        assert choose not in client.get(reverse("web:dashboard")).content.decode()
        about = client.get(reverse("web:course-about", args=[verified_course.key]))
        assert "Upgrade to Verified" not in about.content.decode()


def test_paywalled_course_page_sends_the_learner_to_checkout(learner, paywalled_course):
    client = signed_in(learner)
    about = client.get(reverse("web:course-about", args=[paywalled_course.key])).content.decode()
    assert "Buy a seat" in about
    assert reverse("ecommerce:choose", args=[paywalled_course.key]) in about
    choose = client.get(reverse("ecommerce:choose", args=[paywalled_course.key])).content.decode()
    assert "Buy for $99.00" in choose


def test_my_orders_lists_only_mine(paid, audit_learner, verified_course):
    other = buy(UserFactory(), verified_course).order
    html = signed_in(audit_learner).get(reverse("ecommerce:orders")).content.decode()
    assert paid.number in html
    assert other.number not in html


def test_staff_orders_list_filter_and_detail(paid, verified_course):
    client = signed_in(make_course_team(verified_course))
    listing = client.get(reverse("ecommerce:staff-orders", args=[verified_course.key]))
    assert paid.number in listing.content.decode()
    filtered = client.get(
        reverse("ecommerce:staff-orders", args=[verified_course.key]), {"status": "refunded"}
    )
    assert paid.number not in filtered.content.decode()
    detail = client.get(
        reverse("ecommerce:staff-order", args=[verified_course.key, paid.number])
    ).content.decode()
    for status in ("created", "pending", "paid", "fulfilled"):
        assert f"→ {status}" in detail


def test_staff_refund_needs_a_reason(paid, verified_course):
    client = signed_in(make_course_team(verified_course))
    url = reverse("ecommerce:staff-order-refund", args=[verified_course.key, paid.number])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    paid.refresh_from_db()
    assert paid.status == "fulfilled"

    client.post(url, {"reason": "Duplicate purchase"})
    again = client.post(url, {"reason": "Duplicate purchase"})
    assert again.status_code == 400
    assert f"Order {paid.number} was already refunded." in again.content.decode()


def test_csv_export_neutralises_formula_cells(verified_course):
    learner = UserFactory(username="@SUM", email="sum@example.org")
    order = buy(learner, verified_course).order
    client = signed_in(UserFactory(is_staff=True))
    response = client.get(reverse("ecommerce:staff-orders-csv", args=[verified_course.key]))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["number"], row["username"], row["total"], row["status"]) for row in rows] == [
        (order.number, "'@SUM", "49.00", "fulfilled")
    ]


def test_instructor_tabs_link_the_orders_tab(verified_course):
    client = signed_in(make_course_team(verified_course))
    html = client.get(reverse("web:instructor-tracks", args=[verified_course.key])).content.decode()
    assert reverse("ecommerce:staff-orders", args=[verified_course.key]) in html


def test_no_id_professional_checkout_over_http(learner, paywalled_course):
    client = signed_in(learner)
    response = client.post(
        reverse("ecommerce:checkout", args=[paywalled_course.key]),
        {"track": catalog.NO_ID_PROFESSIONAL, "idempotency_key": "k1"},
    )
    order = Order.objects.get()
    client.post(response["Location"], {"card_number": "4242424242424242"})
    order.refresh_from_db()
    assert order.status == "fulfilled"


@pytest.mark.parametrize(
    ("method", "name", "with_course"),
    [
        ("GET", "ecommerce:choose", True),
        ("POST", "ecommerce:checkout", True),
        ("GET", "ecommerce:orders", False),
    ],
)
@pytest.mark.parametrize("who", ["anonymous", "owner", "course team", "global staff"])
def test_course_pages_need_a_signed_in_user_of_any_kind(
    people, verified_course, method, name, with_course, who
):
    client = signed_in(people[who])
    url = reverse(name, args=[verified_course.key] if with_course else [])
    response = (
        client.get(url)
        if method == "GET"
        else client.post(url, {"track": "nope", "idempotency_key": "k"})
    )
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == (400 if method == "POST" else 200)
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 403),  # no credentials: DRF's session answer, as every API here
        ("owner", 200),
        ("other learner", 404),
        ("course team", 404),
        ("global staff", 200),
    ],
)
def test_commerce_api_order(paid, people, who, status):
    from rest_framework.test import APIClient

    client = APIClient()
    if people[who] is not None:
        client.force_authenticate(people[who])
    response = client.get(f"/api/commerce/v1/orders/{paid.number}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert (body["number"], body["status"], body["total_excl_tax"]) == (
            paid.number,
            "Complete",
            "49.00",
        )
        assert body["lines"][0]["certificate_type"] == "verified"


def test_commerce_api_unknown_order_is_404(audit_learner):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(audit_learner)
    assert client.get("/api/commerce/v1/orders/ET-NOPE/").status_code == 404
