"""The course team adds Honor to the audit-only demo course; Verified is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.demo.loader import COURSE_A, STAFF
from enrollment_tracks.tracks.models import CourseTrack
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_staff_adds_honor_and_is_told_why_verified_is_refused(page: Page):
    log_in(page, *STAFF)
    page.goto(f"/courses/{COURSE_A}/")
    page.get_by_role("link", name="Instructor dashboard").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Tracks 101")
    expect(page.locator("#no-tracks")).to_contain_text("No tracks configured")
    expect(page.locator("#certificate-rule")).to_contain_text("cannot be configured")

    add = page.locator("#add-track-form")
    add.get_by_label("Track").select_option(label="Honor")
    add.get_by_role("button", name="Add track").click()

    expect(page.get_by_role("status")).to_have_text("Honor added.")
    honor_row = page.locator('#tracks-table tr[data-track="honor"]')
    expect(honor_row).to_contain_text("Honor")
    expect(honor_row).to_contain_text("Available")
    expect(page.locator("#no-tracks")).to_have_count(0)
    expect(page.locator("#certificate-rule")).to_have_text(
        "This course offers a track that grants a certificate, so certificates can be configured."
    )

    add = page.locator("#add-track-form")
    add.get_by_label("Track").select_option(label="Verified")
    add.get_by_label("Price").fill("49")
    add.get_by_role("button", name="Add track").click()

    track_select = page.locator("#add-track-form").get_by_label("Track")
    expect(track_select).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_slug_error")
    expect(error).to_contain_text("Verified is a paid track: enable e-commerce")
    expect(error).to_contain_text("E-commerce enabled")
    # The error sits beside the Track field: between its label and its select.
    assert page.evaluate(
        """() => {
            const label = document.querySelector('label[for="id_slug"]');
            const error = document.getElementById('id_slug_error');
            const select = document.getElementById('id_slug');
            const follows = Node.DOCUMENT_POSITION_FOLLOWING;
            return Boolean(label.compareDocumentPosition(error) & follows)
                && Boolean(error.compareDocumentPosition(select) & follows)
                && select.getAttribute('aria-describedby').split(' ').includes('id_slug_error');
        }"""
    )
    expect(page.locator("#id_price")).to_have_value("49")
    expect(page.locator("#tracks-table tr[data-track]")).to_have_count(1)
    assert sorted(
        CourseTrack.objects.filter(course__key=COURSE_A).values_list("slug", flat=True)
    ) == ["honor"]


def test_learner_cannot_open_the_instructor_dashboard(page: Page):
    log_in(page, "learner001", "demo-learner-2026")

    page.goto(f"/courses/{COURSE_A}/instructor/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(
        page.get_by_text("Only the course team can open the instructor dashboard.")
    ).to_be_visible()
    page.goto(f"/courses/{COURSE_A}/")
    expect(page.get_by_role("link", name="Instructor dashboard")).to_have_count(0)


def test_staff_sees_the_demo_enrollments_in_the_audit_trail(page: Page):
    log_in(page, *STAFF)
    page.goto(f"/courses/{COURSE_A}/instructor/")
    page.get_by_role("link", name="Audit trail").click()

    expect(page.locator("#audit-table tbody tr")).to_have_count(200)
    page.get_by_label("Learner (username or email)").fill("learner042")
    page.get_by_role("button", name="Filter").click()

    rows = page.locator("#audit-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("learner042")
    expect(rows).to_contain_text("from unenrolled to enrolled")
    expect(page).to_have_url(re.compile(r"learner=learner042"))
