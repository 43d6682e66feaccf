"""The paid flows in Chromium, with the sandbox processor and the demo site (e-commerce
switched on by the test, as an administrator would in the admin)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.services import course_create
from enrollment_tracks.courses.types import CourseInput
from enrollment_tracks.demo.loader import COURSE_B, LEARNER_PASSWORD
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.services import course_track_create
from enrollment_tracks.tracks.types import TrackInput
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

COURSE_C = "course-v1:DemoX+Pro301+2026"


@pytest.fixture
def shop_open(_demo) -> None:
    site_configuration_update(ecommerce_enabled=True)


def audit_in_course_b(username: str) -> User:
    learner = User.objects.get(username=username)
    enrollment_create(actor=learner, learner=learner, course=CourseRun.objects.get(key=COURSE_B))
    return learner


def track_of(learner: User, key: str) -> tuple[str, bool]:
    enrollment = Enrollment.objects.get(user=learner, course__key=key)
    return enrollment.track, enrollment.is_active


def dashboard_track(page: Page, key: str):
    return page.locator(f'tr[data-course="{key}"] td.track-name')


def pay_with(page: Page, card: str) -> None:
    expect(page.get_by_role("heading", name="Pay by card")).to_be_visible()
    page.get_by_label("Card number").fill(card)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def upgrade_from_dashboard(page: Page) -> None:
    page.goto("/dashboard/")
    page.locator(f'tr[data-course="{COURSE_B}"]').get_by_role(
        "link", name="Upgrade to Verified"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose your track")
    verified = page.locator('li.track[data-track="verified"]')
    expect(verified).to_contain_text("Needed for the certificate")
    expect(page.locator('li.track[data-track="audit"]')).to_contain_text("Your track")
    verified.get_by_role("button", name="Upgrade for $49.00").click()


def test_audit_learner_upgrades_to_verified_with_the_sandbox_card(page: Page, shop_open):
    learner = audit_in_course_b("learner001")
    log_in(page, "learner001", LEARNER_PASSWORD)

    upgrade_from_dashboard(page)
    expect(page.locator("#order-total")).to_have_text("49.00 USD")
    pay_with(page, "4242 4242 4242 4242")

    # Verified needs an ID verification: the learner is sent there (or to the receipt).
    expect(page).to_have_url(re.compile(r"/(verify|orders/ET-[0-9A-F]+)/$"))
    assert track_of(learner, COURSE_B) == ("verified", True)
    order = Order.objects.get(user=learner)
    assert (order.status, order.total) == ("fulfilled", Decimal("49.00"))
    page.goto("/dashboard/")
    expect(dashboard_track(page, COURSE_B)).to_have_text("Verified")


def test_a_declined_card_leaves_the_learner_on_audit(page: Page, shop_open):
    learner = audit_in_course_b("learner002")
    log_in(page, "learner002", LEARNER_PASSWORD)

    upgrade_from_dashboard(page)
    pay_with(page, "4000 0000 0000 0002")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your card was declined.")
    expect(alert).to_contain_text("Nothing was charged and your enrollment is unchanged.")
    expect(page.locator("#order-status")).to_have_text("Payment failed")
    assert track_of(learner, COURSE_B) == ("audit", True)
    page.goto("/dashboard/")
    expect(dashboard_track(page, COURSE_B)).to_have_text("Audit")


def test_no_id_professional_checkout_enrolls(page: Page, shop_open):
    course = course_create(data=CourseInput(key=COURSE_C, title="Pro 301"))
    course_track_create(
        actor=None,
        course=course,
        data=TrackInput(slug=catalog.NO_ID_PROFESSIONAL, price=Decimal(99)),
    )
    learner = User.objects.get(username="learner003")
    log_in(page, "learner003", LEARNER_PASSWORD)

    page.goto(f"/courses/{COURSE_C}/")
    expect(page.get_by_text("This course has no free track")).to_be_visible()
    page.get_by_role("link", name="Buy a seat").click()
    page.locator('li.track[data-track="no-id-professional"]').get_by_role(
        "button", name="Buy for $99.00"
    ).click()
    pay_with(page, "4242424242424242")

    expect(page).to_have_url(re.compile(r"/orders/ET-[0-9A-F]+/$"))
    expect(page.get_by_role("status")).to_contain_text("Payment received")
    expect(page.locator("#order-status")).to_have_text("Fulfilled")
    assert track_of(learner, COURSE_C) == ("no-id-professional", True)


def test_a_learner_refunds_within_the_window_and_is_back_on_the_free_track(page: Page, shop_open):
    learner = audit_in_course_b("learner004")
    log_in(page, "learner004", LEARNER_PASSWORD)
    upgrade_from_dashboard(page)
    pay_with(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(r"/(verify|orders/ET-[0-9A-F]+)/$"))
    assert track_of(learner, COURSE_B) == ("verified", True)

    page.goto("/dashboard/")
    page.get_by_role("link", name="My orders and receipts").click()
    page.get_by_role("link", name=re.compile(r"^ET-")).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Refund this order").click()

    expect(page.get_by_role("status")).to_contain_text("you are back on the free track")
    expect(page.locator("#order-status")).to_have_text("Refunded")
    assert track_of(learner, COURSE_B) == ("audit", True)
    page.goto("/dashboard/")
    expect(dashboard_track(page, COURSE_B)).to_have_text("Audit")
