"""ID verification in Chromium with its fake camera: the whole flow in automatic mode, the file
upload fallback when there is no camera, and the manual review flow with a staff reviewer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from enrollment_tracks.accounts.models import User
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.demo.loader import ADMIN, COURSE_B, LEARNER_PASSWORD
from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.verification.models import (
    AttemptEvent,
    EventKind,
    ReviewMode,
    VerificationAttempt,
)
from enrollment_tracks.verification.services import review_mode_set
from tests.browser.conftest import TIMEOUT_MS, log_in
from tests.verification import images

pytestmark = pytest.mark.browser

NO_CAMERA = (
    "navigator.mediaDevices.getUserMedia = () => "
    "Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));"
)


def enroll_verified(username: str) -> User:
    learner = User.objects.get(username=username)
    enrollment_create(
        actor=None,
        learner=learner,
        course=CourseRun.objects.get(key=COURSE_B),
        track="verified",
        reason="Paid",
    )
    return learner


def take_photo(page: Page, step: int, button: str) -> None:
    section = page.locator(f'section[data-step="{step}"]')
    expect(section).to_be_visible()
    expect(section.locator(".no-camera")).to_be_hidden()
    expect(page.locator("section.step:visible")).to_have_count(1)
    page.wait_for_function(
        f"document.querySelector('section[data-step=\"{step}\"] video').videoWidth > 0"
    )
    section.get_by_role("button", name=button).click()
    expect(section.locator("img.preview")).to_be_visible()
    section.locator("button.next").click()


def photos_by_camera(page: Page) -> None:
    take_photo(page, 1, "Take photo")
    take_photo(page, 2, "Take photo of my ID")
    review = page.locator('section[data-step="3"]')
    expect(review).to_be_visible()
    for name in ("Your face photo, to review", "Your ID photo, to review"):
        image = review.get_by_role("img", name=name)
        expect(image).to_be_visible()
        assert image.evaluate("img => img.naturalWidth") > 0


def start_from_dashboard(page: Page) -> None:
    row = page.locator(f'tr[data-course="{COURSE_B}"]')
    expect(row.locator(".verification-prompt")).to_contain_text("Not verified")
    row.get_by_role("link", name="Verify now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ID verification")


def assert_stored_encrypted(photo_dir, attempt: VerificationAttempt) -> None:
    objects = [path.read_bytes() for path in photo_dir.rglob("*") if path.is_file()]
    assert len(objects) == 2 * VerificationAttempt.objects.count()
    assert not any(images.is_image(data) for data in objects)
    assert attempt.photos.count() == 2


def test_automatic_mode_whole_flow_with_the_webcam(page: Page, photo_dir):
    enroll_verified("learner001")
    log_in(page, "learner001", LEARNER_PASSWORD)
    start_from_dashboard(page)
    expect(page.get_by_role("region", name="What is checked, and what is not")).to_contain_text(
        "Nobody compares your photos."
    )
    page.get_by_role("link", name="Begin: take the photos").click()
    photos_by_camera(page)
    expect(page.get_by_role("note")).to_contain_text("nobody compares the photos")
    page.get_by_label("Your name exactly as on the ID").fill("Learner One")
    page.get_by_role("button", name="Submit my photos").click()

    expect(page).to_have_url(re.compile(r"/verify/attempts/[0-9a-f-]+/$"))
    expect(page.locator(".attempt-status")).to_have_text("Approved")
    expect(page.get_by_role("note")).to_contain_text("nobody compared your face with your ID")
    attempt = VerificationAttempt.objects.get(user__username="learner001")
    assert (attempt.status, attempt.review_mode, attempt.name) == (
        "approved",
        "automatic",
        "Learner One",
    )
    assert_stored_encrypted(photo_dir, attempt)

    page.get_by_role("link", name="My courses").first.click()
    expect(page.locator(f'tr[data-course="{COURSE_B}"] .verification-prompt')).to_contain_text(
        "Verified until 1 Oct 2027"
    )


def test_without_a_camera_the_learner_uploads_files(page: Page, photo_dir, tmp_path):
    enroll_verified("learner002")
    page.add_init_script(NO_CAMERA)
    log_in(page, "learner002", LEARNER_PASSWORD)
    page.goto("/verify/photos/")
    face, card = tmp_path / "face.jpg", tmp_path / "card.png"
    face.write_bytes(images.jpeg())
    card.write_bytes(images.png())
    for step, path, label in (
        (1, face, "Or upload a photo of your face"),
        (2, card, "Or upload a photo of your ID"),
    ):
        section = page.locator(f'section[data-step="{step}"]')
        expect(section.get_by_role("status")).to_contain_text("No camera is available")
        expect(section.locator(".camera")).to_be_hidden()
        section.get_by_label(label).set_input_files(str(path))
        expect(section.locator("img.preview")).to_be_visible()
        section.locator("button.next").click()
    page.get_by_role("button", name="Submit my photos").click()
    expect(page.locator(".attempt-status")).to_have_text("Approved")
    assert_stored_encrypted(photo_dir, VerificationAttempt.objects.get(user__username="learner002"))


def test_a_refused_file_is_named_and_nothing_is_kept(page: Page, photo_dir, tmp_path):
    page.add_init_script(NO_CAMERA)
    log_in(page, "learner003", LEARNER_PASSWORD)
    page.goto("/verify/photos/")
    fake, card = tmp_path / "face.jpg", tmp_path / "card.png"
    fake.write_bytes(images.PDF)
    card.write_bytes(images.png())
    page.get_by_label("Or upload a photo of your face").set_input_files(str(fake))
    page.locator('section[data-step="1"] button.next').click()
    page.get_by_label("Or upload a photo of your ID").set_input_files(str(card))
    page.locator('section[data-step="2"] button.next').click()
    page.get_by_role("button", name="Submit my photos").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The face photo: this is not a JPEG or PNG image."
    )
    assert not VerificationAttempt.objects.exists()
    assert not [p for p in photo_dir.rglob("*") if p.is_file()]


def reviewer_page(browser, live_server, page_errors) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("console", page_errors.on_console)
    page.on("pageerror", page_errors.on_page_error)
    page.on("response", page_errors.on_response)
    log_in(page, ADMIN[0], ADMIN[1])
    return page


def review(page: Page, username: str, decision: str, reason: str = "") -> None:
    page.goto("/verify/review/")
    page.locator("#review-queue tr", has_text=username).get_by_role("link", name="Review").click()
    for photo in ("#review-face", "#review-id"):
        expect(page.locator(photo)).to_be_visible()
        page.wait_for_function(f"document.querySelector('{photo}').naturalWidth > 0")
    page.get_by_label(decision).check()
    if reason:
        page.get_by_label("Reason shown to the learner").fill(reason)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")


def test_manual_review_deny_then_resubmit_and_approve(
    page: Page, browser, live_server, page_errors, photo_dir
):
    review_mode_set(ReviewMode.MANUAL)
    enroll_verified("learner004")
    log_in(page, "learner004", LEARNER_PASSWORD)
    start_from_dashboard(page)
    expect(page.get_by_role("region", name="What is checked, and what is not")).to_contain_text(
        "A member of the"
    )
    page.get_by_role("link", name="Begin: take the photos").click()
    photos_by_camera(page)
    page.get_by_role("button", name="Submit my photos").click()
    expect(page.locator(".attempt-status")).to_have_text("Submitted, waiting for review")

    staff = reviewer_page(browser, live_server, page_errors)
    try:
        review(
            staff,
            "learner004",
            "Deny (with the reason the learner will see)",
            "The ID is not readable.",
        )
        viewed = AttemptEvent.objects.filter(kind=EventKind.PHOTO_VIEWED, actor__username=ADMIN[0])
        assert set(viewed.values_list("photo_kind", flat=True)) == {"face", "id"}

        page.goto("/verify/status/")
        expect(page.locator(".verification-status")).to_contain_text(
            "Denied. Reason: The ID is not readable."
        )
        page.get_by_role("link", name="Verify again").click()
        page.get_by_role("link", name="Begin: take the photos").click()
        photos_by_camera(page)
        page.get_by_role("button", name="Submit my photos").click()
        expect(page.locator(".attempt-status")).to_have_text("Submitted, waiting for review")

        review(staff, "learner004", "Approve: same person, readable ID")
        expect(staff.get_by_text("No attempt is waiting for review.")).to_be_visible()
    finally:
        staff.context.close()

    page.goto("/dashboard/")
    expect(page.locator(f'tr[data-course="{COURSE_B}"] .verification-prompt')).to_contain_text(
        "Verified until"
    )
    statuses = list(
        VerificationAttempt.objects.filter(user__username="learner004").values_list(
            "status", flat=True
        )
    )
    assert sorted(statuses) == ["approved", "denied"]
