"""The seed's recipe: move the audit learners of the demo course to honor, silently.

Open edX's way: add honor, bulk-unenroll the learners without notifying them, bulk re-enroll
them; they come back on the default track, now honor, and nobody receives an email.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from enrollment_tracks.demo.loader import COURSE_A, LEARNER_COUNT, STAFF, learner_username
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.notifications.models import OutboxMessage
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

LEARNERS = [learner_username(n) for n in range(1, LEARNER_COUNT + 1)]
REASON = "Moving to honor"


def run_batch(page: Page, action: str, *, plan: tuple[str, str], result: tuple[str, str]) -> None:
    """Fill the Membership form for the 200 learners, check the dry run, confirm, see results."""
    page.get_by_role("link", name="Membership", exact=True).click()
    page.get_by_label("Email addresses and/or usernames").fill("\n".join(LEARNERS))
    page.get_by_label(action, exact=True).check()
    expect(page.get_by_label("Auto Enroll")).to_be_checked()
    expect(page.get_by_label("Notify users by email")).not_to_be_checked()
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Preview the changes").click()

    bucket = page.locator(f'#plan [data-bucket="{plan[0]}"]')
    expect(bucket.locator("h4")).to_have_text(f"{plan[1]} {LEARNER_COUNT}")
    expect(bucket.locator("li")).to_have_count(LEARNER_COUNT)
    expect(page.locator("#plan .bucket")).to_have_count(1)
    page.get_by_role("button", name="Confirm and run").click()

    expect(page.locator("#job-status")).to_have_text("Status: Succeeded.")
    expect(page.locator("#job-progress-text")).to_have_text("200 of 200 processed (100%)")
    bucket = page.locator(f'#job-results [data-bucket="{result[0]}"]')
    expect(bucket.locator("h4")).to_have_text(f"{result[1]} {LEARNER_COUNT}")
    expect(page.locator("#job-results .bucket")).to_have_count(1)
    expect(page.get_by_role("button", name="Cancel job")).to_have_count(0)


def test_unenroll_then_reenroll_moves_the_audit_learners_to_honor(page: Page, worker):
    log_in(page, *STAFF)
    page.goto(f"/courses/{COURSE_A}/instructor/")
    add = page.locator("#add-track-form")
    add.get_by_label("Track").select_option(label="Honor")
    add.get_by_role("button", name="Add track").click()
    expect(page.get_by_role("status")).to_have_text("Honor added.")
    page.get_by_label("Pin a free track").select_option(label="Honor")
    page.get_by_role("button", name="Save default").click()
    expect(page.locator("#default-track")).to_have_text("Honor")

    run_batch(
        page,
        "Unenroll",
        plan=("will_unenroll", "Will unenroll"),
        result=("unenrolled", "The following users are no longer enrolled in the course:"),
    )
    assert not Enrollment.objects.filter(course__key=COURSE_A, is_active=True).exists()

    run_batch(
        page,
        "Enroll",
        plan=("will_enroll", "Will enroll"),
        result=("enrolled", "Successfully enrolled the following users:"),
    )
    assert len(worker) == 2

    enrollments = Enrollment.objects.filter(course__key=COURSE_A, user__username__in=LEARNERS)
    assert enrollments.filter(is_active=True, track="honor").count() == LEARNER_COUNT
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []
    trail: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    rows = EnrollmentAudit.objects.filter(course__key=COURSE_A, reason=REASON).order_by("id")
    for username, transition, before, after in rows.values_list(
        "learner__username", "transition", "track_before", "track_after"
    ):
        trail[username].append((transition, before, after))
    assert set(trail) == set(LEARNERS)
    assert {tuple(changes) for changes in trail.values()} == {
        (
            ("from enrolled to unenrolled", "audit", "audit"),
            ("from unenrolled to enrolled", "audit", "honor"),
        )
    }

    # Each identifier in the results leads to that learner's audit trail.
    page.locator("#job-results").get_by_role("link", name="learner001", exact=True).click()
    expect(page.locator("#learner")).to_have_value("learner001")
    rows = page.locator("#audit-table tbody tr").filter(has_text=REASON)
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("from unenrolled to enrolled")
    expect(rows.nth(0)).to_contain_text("audit → honor")
    expect(rows.nth(1)).to_contain_text("from enrolled to unenrolled")
    expect(rows.nth(1)).to_contain_text("staff")
