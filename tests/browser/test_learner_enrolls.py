"""A learner finds course B, picks Honor and sees it on their dashboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.accounts.models import User
from enrollment_tracks.demo.loader import COURSE_B
from enrollment_tracks.enrollments.models import Enrollment

pytestmark = pytest.mark.browser

ABOUT_B = f"/courses/{COURSE_B}/"


def sign_up(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Full name").fill("Grace Learner")
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password:", exact=True).fill("lantern-orbit-pickle-93")
    page.get_by_label("Password (again):", exact=True).fill("lantern-orbit-pickle-93")
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("button", name=f"Log out ({username})")).to_be_visible()


def open_course_b(page: Page) -> None:
    page.get_by_role("link", name="Courses", exact=True).click()
    page.get_by_role("link", name="Tracks 201").click()
    expect(page).to_have_url(re.compile(re.escape(ABOUT_B) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tracks 201")


def dashboard_track(page: Page):
    return page.locator(f'tr[data-course="{COURSE_B}"] td.track-name')


def test_new_learner_signs_up_picks_honor_and_sees_it_on_the_dashboard(page: Page):
    sign_up(page, "grace")
    open_course_b(page)

    verified = page.locator('li.track[data-track="verified"]')
    expect(verified).to_have_class(re.compile(r"\bunavailable\b"))
    expect(verified.get_by_role("note")).to_contain_text("e-commerce is not enabled")
    expect(page.locator('li.track[data-track="honor"]')).to_contain_text("Yes, when you pass")
    choice = page.get_by_role("group", name="Choose your track")
    expect(choice.get_by_role("radio")).to_have_count(2)  # audit and honor, never verified
    expect(choice.get_by_role("radio", name="Audit")).to_be_checked()

    choice.get_by_role("radio", name="Honor").check()
    page.get_by_role("button", name="Enroll").click()

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("status")).to_have_text("You are enrolled in Tracks 201.")
    expect(dashboard_track(page)).to_have_text("Honor")
    enrollment = Enrollment.objects.get(user__username="grace", course__key=COURSE_B)
    assert (enrollment.track, enrollment.is_active) == ("honor", True)

    page.goto(ABOUT_B)
    expect(page.get_by_role("region", name="Enroll")).to_contain_text(
        "You are enrolled on the Honor track."
    )


def test_enroll_flow_works_from_the_keyboard_alone(page: Page):
    User.objects.create_user(
        username="keyboard", email="keyboard@example.org", password="lantern-orbit-pickle-93"
    )
    page.goto("/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # the form starts there
    page.keyboard.type("keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type("lantern-orbit-pickle-93")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.goto(ABOUT_B)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    audit = page.get_by_role("radio", name="Audit")
    honor = page.get_by_role("radio", name="Honor")
    tab_until_focused(page, audit)
    page.keyboard.press("ArrowDown")  # moves the choice within the radio group
    expect(honor).to_be_focused()
    expect(honor).to_be_checked()
    enroll = page.get_by_role("button", name="Enroll")
    tab_until_focused(page, enroll)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(dashboard_track(page)).to_have_text("Honor")


def tab_until_focused(page: Page, target, limit: int = 40) -> None:
    """Press Tab until ``target`` has the focus; fail if it is not reachable by Tab."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"{target} is not reachable with the Tab key")


def test_posting_verified_is_refused_in_the_page(page: Page):
    sign_up(page, "mallory")
    page.goto(ABOUT_B)
    # A hand-made form post, as a learner could make with the developer tools.
    page.evaluate(
        """() => {
            const radio = document.querySelector('input[name="track"][value="honor"]');
            radio.value = "verified";
            radio.checked = true;
        }"""
    )

    page.get_by_role("button", name="Enroll").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Verified is a paid track ($49.00); you cannot enroll on it without paying."
    )
    assert not Enrollment.objects.filter(user__username="mallory").exists()
