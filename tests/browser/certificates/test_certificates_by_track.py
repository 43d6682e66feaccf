"""A course team configures certificates on a course with honor, uploads grades, generates; a
passing honor learner downloads the PDF and an audit learner sees how to earn a certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.accounts.models import User
from enrollment_tracks.certificates.generation import job_run
from enrollment_tracks.certificates.models import Certificate, GenerationJob, JobStatus
from enrollment_tracks.certificates.services import grades_record
from enrollment_tracks.certificates.types import GradeEntry
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.demo.loader import COURSE_B, LEARNER_PASSWORD, STAFF, learner_username
from enrollment_tracks.enrollments.services import enrollment_create
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

HONOR_PASSING = learner_username(21)
HONOR_GRADED_EARLIER = learner_username(22)
AUDIT = learner_username(23)
PROGRESS_URL = "**/instructor/certificates/jobs/*/progress/"


@pytest.fixture
def learners_in_b() -> None:
    course = CourseRun.objects.get(key=COURSE_B)
    staff = User.objects.get(username=STAFF[0])
    for username, track in (
        (HONOR_PASSING, "honor"),
        (HONOR_GRADED_EARLIER, "honor"),
        (AUDIT, "audit"),
    ):
        learner = User.objects.get(username=username)
        enrollment_create(actor=staff, learner=learner, course=course, track=track)
    # Graded by the LMS before certificates were configured: only the job issues this one.
    grades_record(
        actor=staff,
        course=course,
        entries=[GradeEntry(line=1, identifier=HONOR_GRADED_EARLIER, grade="88")],
        source="api",
    )


@pytest.fixture
def worker(page) -> list:
    """Runs the queued generation jobs just before the page polls their progress."""
    ran: list = []

    def run_queued(route) -> None:
        for job_id in GenerationJob.objects.filter(status=JobStatus.QUEUED).values_list(
            "pk", flat=True
        ):
            job_run(job_id)
            ran.append(job_id)
        route.continue_()

    page.route(PROGRESS_URL, run_queued)
    return ran


def test_configure_grade_generate_download_and_upgrade_prompt(
    page: Page, worker, learners_in_b, tmp_path: Path
):
    log_in(page, *STAFF)
    page.goto(f"/courses/{COURSE_B}/instructor/")
    page.get_by_role("navigation", name="Instructor dashboard").get_by_role(
        "link", name="Certificates"
    ).click()
    expect(page.locator("#certificates-state")).to_contain_text("not configured")

    form = page.locator("#configuration-form")
    form.locator("#id_title").fill("Certificate of Achievement")
    form.get_by_label("Organisation name").fill("DemoX")
    form.get_by_label("Signatory 1: name").fill("Ada Lovelace")
    form.get_by_label("Signatory 1: title").fill("Course lead")
    form.get_by_label("Active: issue certificates").check()
    form.get_by_role("button", name="Save configuration").click()
    expect(page.get_by_role("status").first).to_contain_text("Certificate configuration saved.")
    expect(page.locator("#certificates-state")).to_contain_text("active")

    csv_path = tmp_path / "grades.csv"
    csv_path.write_text(f"identifier,grade\n{HONOR_PASSING},91\n{AUDIT},95\nnobody,50\n")
    grades = page.locator("#grades-form")
    grades.get_by_label("Grades CSV").set_input_files(str(csv_path))
    grades.get_by_role("button", name="Upload grades").click()
    results = page.locator("#grade-results")
    expect(results).to_contain_text("3 rows, 1 with an error.")
    expect(results.locator(f'tr[data-identifier="{HONOR_PASSING}"]')).to_contain_text(
        "Certificate issued."
    )
    expect(results.locator('tr[data-identifier="nobody"]')).to_contain_text("unknown_learner")

    page.get_by_role("button", name="Generate certificates").click()
    expect(page.locator("#generation-job")).to_have_attribute("data-status", "succeeded")
    expect(page.locator("#job-progress-text")).to_contain_text("1 certificate issued")
    assert len(worker) == 1
    assert set(Certificate.objects.values_list("user__username", flat=True)) == {
        HONOR_PASSING,
        HONOR_GRADED_EARLIER,
    }
    page.reload()
    expect(page.locator("#certificates-table tbody tr")).to_have_count(2)

    page.context.clear_cookies()
    log_in(page, HONOR_PASSING, LEARNER_PASSWORD)
    row = page.locator(f'tr[data-course="{COURSE_B}"]')
    with page.expect_download() as download:
        row.get_by_role("link", name="Download PDF").click()
    saved = tmp_path / "certificate.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    row.get_by_role("link", name="View certificate").click()
    expect(page.locator("#validity")).to_contain_text("valid")
    expect(page.locator("#learner-name")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, AUDIT, LEARNER_PASSWORD)
    row = page.locator(f'tr[data-course="{COURSE_B}"]')
    expect(row.locator(".upgrade-prompt")).to_contain_text("Upgrade to the Verified track")
    expect(row.get_by_role("link", name="Download PDF")).to_have_count(0)
