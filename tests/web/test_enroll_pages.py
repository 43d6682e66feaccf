"""Enrolling and unenrolling from the pages, as a signed-in learner acting for themselves."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse

from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.enrollments.services import enrollment_create
from tests.web.markup import attr, find, find_all, has, page, text


def enroll_url(course) -> str:
    return reverse("web:course-enroll", args=[course.key])


def unenroll_url(course) -> str:
    return reverse("web:course-unenroll", args=[course.key])


def about_url(course) -> str:
    return reverse("web:course-about", args=[course.key])


def dashboard_rows(client: Client) -> dict[str, str]:
    """Course key → track name, as the learner's dashboard lists them."""
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 200
    return {
        attr(row, "data-course"): text(find(row, "td", class_="track-name"))
        for row in find_all(page(response), "tr")
        if attr(row, "data-course")
    }


def test_anonymous_enroll_is_sent_to_the_login_page(client, audit_only_course):
    response = client.post(enroll_url(audit_only_course), {"track": "audit"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("web:login")
    assert parse_qs(location.query) == {"next": [enroll_url(audit_only_course)]}
    assert not Enrollment.objects.exists()


def test_anonymous_dashboard_is_sent_to_the_login_page(client):
    response = client.get(reverse("web:dashboard"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_audit_only_course_offers_one_enroll_button(login, learner, audit_only_course):
    root = page(login(learner).get(about_url(audit_only_course)))

    form = find(root, "form", action=enroll_url(audit_only_course))
    assert find_all(form, "input", type="radio") == []
    assert attr(find(form, "input", name="track"), "value") == "audit"
    assert text(find(form, "button")) == "Enroll (Audit)"


def test_learner_enrolls_in_an_audit_only_course_and_sees_audit_on_the_dashboard(
    login, learner, audit_only_course
):
    client = login(learner)

    response = client.post(enroll_url(audit_only_course), {"track": "audit"})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    enrollment = Enrollment.objects.get(user=learner, course=audit_only_course)
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    followed = page(client.get(reverse("web:dashboard")))
    assert text(find(followed, "div", role="status")) == "You are enrolled in Tracks 101."
    assert dashboard_rows(client) == {audit_only_course.key: "Audit"}


def test_about_page_of_an_enrolled_learner_names_their_track(login, learner, audit_only_course):
    client = login(learner)
    client.post(enroll_url(audit_only_course), {"track": "audit"})

    root = page(client.get(about_url(audit_only_course)))

    enroll = text(find(root, "section", aria_labelledby="enroll-heading"))
    assert "You are enrolled on the Audit track." in enroll
    assert find_all(root, "form", action=enroll_url(audit_only_course)) == []


def test_course_with_audit_and_honor_offers_a_radio_choice(login, learner, free_choice_course):
    root = page(login(learner).get(about_url(free_choice_course)))

    form = find(root, "form", action=enroll_url(free_choice_course))
    radios = find_all(form, "input", type="radio", name="track")
    assert [attr(radio, "value") for radio in radios] == ["audit", "honor"]
    labels = {attr(label, "for"): text(label) for label in find_all(form, "label")}
    assert [labels[attr(radio, "id")] for radio in radios] == ["Audit", "Honor"]
    checked = [attr(radio, "value") for radio in radios if has(radio, "checked")]
    assert checked == ["audit"]  # the default track is preselected
    assert text(find(form, "button")) == "Enroll"


def test_learner_picks_honor(login, learner, free_choice_course):
    client = login(learner)

    response = client.post(enroll_url(free_choice_course), {"track": "honor"})

    assert response.status_code == 302
    assert Enrollment.objects.get(user=learner, course=free_choice_course).track == "honor"
    assert dashboard_rows(client) == {free_choice_course.key: "Honor"}


def test_course_b_offers_audit_and_honor_but_not_verified(login, learner, course_b):
    root = page(login(learner).get(about_url(course_b)))

    radios = find_all(root, "input", type="radio", name="track")
    assert [attr(radio, "value") for radio in radios] == ["audit", "honor"]


def test_posting_verified_is_refused_with_the_reason_and_enrolls_nobody(login, learner, course_b):
    response = login(learner).post(enroll_url(course_b), {"track": "verified"})

    assert response.status_code == 400
    root = page(response)
    form = find(root, "form", action=enroll_url(course_b))
    refusal = text(find(form, "div", role="alert"))
    assert "Verified is a paid track ($49.00); you cannot enroll on it without paying." in refusal
    assert "e-commerce is not enabled for this site" in refusal
    assert not Enrollment.objects.filter(user=learner).exists()
    assert not EnrollmentAudit.objects.filter(learner=learner).exists()


def test_posting_a_track_the_course_does_not_offer_is_refused(login, learner, free_choice_course):
    response = login(learner).post(enroll_url(free_choice_course), {"track": "professional"})

    assert response.status_code == 400
    refusal = text(find(page(response), "div", role="alert"))
    assert "This course does not offer the Professional track." in refusal
    assert not Enrollment.objects.filter(user=learner).exists()


def test_posting_an_unknown_track_is_refused(login, learner, free_choice_course):
    response = login(learner).post(enroll_url(free_choice_course), {"track": "platinum"})

    assert response.status_code == 400
    assert "“platinum” is not a track this site knows." in text(
        find(page(response), "div", role="alert")
    )
    assert not Enrollment.objects.filter(user=learner).exists()


def test_enrolling_twice_is_not_an_error(login, learner, free_choice_course):
    client = login(learner)

    first = client.post(enroll_url(free_choice_course), {"track": "honor"})
    second = client.post(enroll_url(free_choice_course), {"track": "honor"})

    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == reverse("web:dashboard")
    assert Enrollment.objects.filter(user=learner).count() == 1
    assert EnrollmentAudit.objects.filter(learner=learner).count() == 1
    assert dashboard_rows(client) == {free_choice_course.key: "Honor"}


def test_unenroll_from_the_dashboard(login, learner, free_choice_course, audit_only_course):
    client = login(learner)
    client.post(enroll_url(free_choice_course), {"track": "honor"})
    client.post(enroll_url(audit_only_course), {"track": "audit"})
    dashboard = page(client.get(reverse("web:dashboard")))
    row = find(dashboard, "tr", data_course=free_choice_course.key)
    assert find(row, "form", method="post", action=unenroll_url(free_choice_course))

    response = client.post(unenroll_url(free_choice_course))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    enrollment = Enrollment.objects.get(user=learner, course=free_choice_course)
    assert enrollment.is_active is False
    assert enrollment.track == "honor"  # kept for a later re-enrollment
    audit = EnrollmentAudit.objects.filter(learner=learner, course=free_choice_course).first()
    assert audit.transition == Transition.ENROLLED_TO_UNENROLLED
    assert dashboard_rows(client) == {audit_only_course.key: "Audit"}


def test_unenrolling_when_not_enrolled_says_so(login, learner, free_choice_course):
    client = login(learner)

    response = client.post(unenroll_url(free_choice_course), follow=True)

    assert response.status_code == 200
    assert text(find(page(response), "div", role="status")) == (
        "You are not enrolled in this course."
    )


def test_dashboard_without_enrollments_points_to_the_catalog(login, learner):
    root = page(login(learner).get(reverse("web:dashboard")))

    main = find(root, "main")
    assert "You are not enrolled in any course yet." in text(main)
    assert find(main, "a", href=reverse("web:catalog"))


def test_enroll_without_csrf_token_is_refused(learner, free_choice_course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)

    response = client.post(enroll_url(free_choice_course), {"track": "honor"})

    assert response.status_code == 403
    assert not Enrollment.objects.filter(user=learner).exists()


def test_enroll_with_the_pages_csrf_token_is_accepted(learner, free_choice_course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    form = find(page(client.get(about_url(free_choice_course))), "form",
                action=enroll_url(free_choice_course))  # fmt: skip
    token = attr(find(form, "input", name="csrfmiddlewaretoken"), "value")

    response = client.post(
        enroll_url(free_choice_course), {"track": "honor", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Enrollment.objects.get(user=learner).track == "honor"


def test_unenroll_without_csrf_token_is_refused(learner, free_choice_course):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    enrollment_create(actor=learner, learner=learner, course=free_choice_course, track="honor")

    response = client.post(unenroll_url(free_choice_course))

    assert response.status_code == 403
    assert Enrollment.objects.get(user=learner).is_active is True


def test_enroll_and_unenroll_take_post_only(login, learner, free_choice_course):
    client = login(learner)

    assert client.get(enroll_url(free_choice_course)).status_code == 405
    assert client.get(unenroll_url(free_choice_course)).status_code == 405
    assert client.post(reverse("web:dashboard")).status_code == 405
    assert client.post(about_url(free_choice_course)).status_code == 405
    assert client.post(reverse("web:catalog")).status_code == 405
