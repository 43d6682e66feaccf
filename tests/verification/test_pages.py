"""What the learner and the reviewer read on the pages."""

from __future__ import annotations

from django.urls import reverse

from enrollment_tracks.enrollments.services import enrollment_create
from enrollment_tracks.verification.models import AttemptStatus, ReviewMode, VerificationAttempt
from enrollment_tracks.verification.selectors import review_mode_get
from enrollment_tracks.verification.services import attempt_decide
from tests.factories import enable_paid_tracks, make_course, make_track
from tests.verification.conftest import submit


def verified_course():
    course = make_course(title="Verified course")
    make_track(course, "audit")
    enable_paid_tracks()
    make_track(course, "verified", price=49)
    return course


def test_the_review_mode_starts_from_the_setting(settings):
    assert review_mode_get() is ReviewMode.AUTOMATIC
    from django.core.cache import cache

    from enrollment_tracks.verification.models import ReviewSettings

    ReviewSettings.objects.all().delete()
    cache.clear()
    settings.VERIFICATION_REVIEW_MODE = "manual"
    assert review_mode_get() is ReviewMode.MANUAL


def test_the_dashboard_prompts_only_where_a_track_needs_verification(login, learner):
    audit_only = make_course(title="Audit only")
    enrollment_create(actor=None, learner=learner, course=audit_only)
    client = login(learner)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "verification-prompt" not in page
    assert "ID verification" not in page

    course = verified_course()
    enrollment_create(actor=None, learner=learner, course=course, track="verified", reason="Paid")
    page = client.get(reverse("web:dashboard")).content.decode()
    assert page.count('class="verification-prompt"') == 1
    assert "Not verified: needed for the certificate" in page
    assert reverse("verification:start") + "?course=" in page

    submit(learner)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "Verified until 1 Oct 2027" in page
    assert "Verify now" not in page


def test_the_start_page_says_honestly_what_is_checked(login, learner, settings):
    client = login(learner)
    automatic = client.get(reverse("verification:start")).content.decode()
    assert "Nobody compares your photos." in automatic
    assert "deleted 30 days after the decision" in automatic
    from enrollment_tracks.verification.services import review_mode_set

    review_mode_set(ReviewMode.MANUAL)
    manual = client.get(reverse("verification:start")).content.decode()
    assert "looks at your two photos side by side" in manual
    assert "No software" in manual


def test_the_learner_sees_the_reason_of_a_denial(login, learner, manual_mode, reviewer):
    result = submit(learner)
    attempt_decide(
        public_id=result.attempt_id, actor=reviewer, decision="deny", reason="Cropped ID."
    )
    client = login(learner)
    status = client.get(reverse("verification:status")).content.decode()
    assert "Denied." in status
    assert "Reason: Cropped ID." in status
    assert 'id="verify-now"' in status
    detail = client.get(reverse("verification:attempt", args=[result.attempt_id])).content.decode()
    assert "Cropped ID." in detail


def test_the_reviewer_must_give_a_reason_to_deny(login, reviewer, learner, manual_mode):
    result = submit(learner)
    client = login(reviewer)
    queue = client.get(reverse("verification:review-queue")).content.decode()
    assert str(result.attempt_id) in queue
    response = client.post(
        reverse("verification:review-decide", args=[result.attempt_id]),
        {"decision": "deny"},
        follow=True,
    )
    assert "Give the reason the learner will see." in response.content.decode()
    assert VerificationAttempt.objects.get().status == AttemptStatus.SUBMITTED
    client.post(
        reverse("verification:review-decide", args=[result.attempt_id]),
        {"decision": "retry", "reason": "Too dark"},
    )
    assert VerificationAttempt.objects.get().status == AttemptStatus.MUST_RETRY
    assert (
        str(result.attempt_id)
        not in client.get(reverse("verification:review-queue")).content.decode()
    )


def test_a_course_deadline_that_passed_refuses_the_photos(login, learner):
    import datetime as dt

    from enrollment_tracks.tracks.services import course_verification_deadline_set
    from tests.verification import images
    from tests.verification.conftest import NOW
    from tests.verification.test_bad_input import post_photos

    course = verified_course()
    course_verification_deadline_set(actor=None, course=course, deadline=NOW - dt.timedelta(days=1))
    client = login(learner)
    start = client.get(reverse("verification:start"), {"course": course.key}).content.decode()
    assert 'id="deadline-passed"' in start
    assert "Begin: take the photos" not in start
    response = client.post(
        reverse("verification:photos"), {"submission_key": "k", "course": course.key}
    )
    assert response.status_code == 400
    assert "The verification deadline of this course has passed." in response.content.decode()
    assert (
        post_photos(
            client, face=("f.jpg", images.jpeg()), id_photo=("i.png", images.png())
        ).status_code
        == 302
    )
