"""The direct way: a batch change of track with its dry run, in the browser."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.accounts.models import User
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.demo.loader import COURSE_B, STAFF, learner_username
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.membership.models import MembershipJob
from enrollment_tracks.notifications.models import OutboxMessage
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

ON_AUDIT = [learner_username(n) for n in range(10, 15)]
ON_HONOR = learner_username(15)
NOT_ENROLLED = learner_username(199)
REASON = "Honor code signed"


@pytest.fixture
def enrolled_in_b() -> None:
    course = CourseRun.objects.get(key=COURSE_B)
    staff = User.objects.get(username=STAFF[0])
    for username in ON_AUDIT:
        learner = User.objects.get(username=username)
        enrollment_create(actor=staff, learner=learner, course=course, track="audit")
    learner = User.objects.get(username=ON_HONOR)
    enrollment_create(actor=staff, learner=learner, course=course, track="honor")


def test_change_of_track_with_its_dry_run(page: Page, worker, enrolled_in_b):
    log_in(page, *STAFF)
    page.goto(f"/courses/{COURSE_B}/instructor/")
    page.get_by_role("link", name="Membership", exact=True).click()
    expect(page.locator("#no-jobs")).to_be_visible()

    given = ", ".join([*ON_AUDIT, ON_HONOR, NOT_ENROLLED, "nobody-here", ON_AUDIT[0].upper()])
    page.get_by_label("Email addresses and/or usernames").fill(given)
    page.get_by_label("Change track").check()
    page.get_by_label("Track:", exact=True).select_option(label="Honor")
    page.get_by_label("Only learners now on").select_option(label="Audit")
    page.get_by_label("Reason").fill(REASON)
    page.get_by_role("button", name="Preview the changes").click()

    plan = page.locator("#plan")
    expect(plan.locator(".bucket h4")).to_have_text(
        [
            "Not enrolled 1",
            "Will change track from Audit to Honor 5",
            "Already on the target track 1",
            "Unknown user 1",
            "Duplicates collapsed 1",
        ]
    )
    expect(plan.locator('[data-bucket="will_change:audit→honor"] li')).to_have_text(ON_AUDIT)
    expect(page.locator("#job-facts")).to_contain_text("Change track to Honor, only from Audit")
    expect(page.locator("#job-facts")).to_contain_text(f"reason: {REASON}")
    assert Enrollment.objects.filter(course__key=COURSE_B, track="honor").count() == 1

    page.get_by_role("button", name="Confirm and run").click()
    expect(page.locator("#job-status")).to_have_text("Status: Succeeded.")
    results = page.locator("#job-results .bucket h4")
    expect(results).to_have_text(
        [
            "Track changed for the following users: 5",
            "Already on the target track: 1",
            "Not enrolled in the course, left as they are: 1",
            "No account matches: 1",
            "Listed more than once (handled once): 1",
        ]
    )
    assert set(
        Enrollment.objects.filter(course__key=COURSE_B, track="honor").values_list(
            "user__username", flat=True
        )
    ) == {*ON_AUDIT, ON_HONOR}
    audit = EnrollmentAudit.objects.filter(course__key=COURSE_B, reason=REASON)
    assert sorted(audit.values_list("learner__username", "track_before", "track_after")) == [
        (username, "audit", "honor") for username in ON_AUDIT
    ]
    assert OutboxMessage.objects.count() == 0

    # The results file, as the link downloads it.
    href = page.get_by_role("link", name="Download the results (CSV)").get_attribute("href")
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [(row["identifier"], row["outcome"]) for row in rows] == [
        *[(username, "changed") for username in ON_AUDIT],
        (ON_HONOR, "already_on"),
        (NOT_ENROLLED, "not_enrolled"),
        ("nobody-here", "unknown_user"),
        (ON_AUDIT[0].upper(), "duplicate"),
    ]
    first = rows[0]
    assert (first["before_track"], first["after_track"], first["user"]) == (
        "audit",
        "honor",
        ON_AUDIT[0],
    )

    # The jobs list tells who did what, when and how it went.
    page.get_by_role("link", name="← All jobs").click()
    job = MembershipJob.objects.get()
    row = page.locator(f'#jobs-table tr[data-job="{job.pk}"]')
    expect(row).to_contain_text("staff")
    expect(row).to_contain_text("Change track to Honor, only from Audit")
    expect(row).to_contain_text("Succeeded")
    expect(row).to_contain_text("track changed: 5")
    expect(row.get_by_role("link", name="Results CSV")).to_have_attribute("href", href)
