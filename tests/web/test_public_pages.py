"""The catalog and course about pages, open to anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from enrollment_tracks.courses.models import CourseRun
from tests.factories import make_course
from tests.web.markup import attr, find, find_all, page, text


def about_url(course: CourseRun | str) -> str:
    key = course if isinstance(course, str) else course.key
    return reverse("web:course-about", args=[key])


def track_card(root, slug: str):
    return find(root, "li", data_track=slug)


def track_slugs(root) -> list[str]:
    return [attr(card, "data-track") for card in find_all(root, "li", class_="track")]


def test_catalog_lists_every_course_with_a_link_to_its_about_page(client, course_b):
    other = make_course(title="Another course")

    response = client.get(reverse("web:catalog"))

    assert response.status_code == 200
    cards = find_all(page(response), "li", class_="card")
    titles = {text(find(card, "h2")): attr(find(card, "a"), "href") for card in cards}
    assert titles == {"Tracks 201": about_url(course_b), "Another course": about_url(other)}


def test_catalog_without_courses_says_so(client):
    response = client.get(reverse("web:catalog"))

    assert response.status_code == 200
    assert "No courses yet." in text(page(response))


def test_about_page_of_an_unconfigured_course_offers_audit_alone(client, audit_only_course):
    response = client.get(about_url(audit_only_course))

    assert response.status_code == 200
    root = page(response)
    assert track_slugs(root) == ["audit"]
    card = text(track_card(root, "audit"))
    assert "Price Free" in card
    assert "Certificate No" in card


@pytest.mark.parametrize(
    ("slug", "facts"),
    [
        ("audit", ["Price Free", "Certificate No", "ID verification Not needed"]),
        ("honor", ["Price Free", "Certificate Yes, when you pass", "ID verification Not needed"]),
        (
            "verified",
            [
                "Price $49.00",
                "Certificate Yes, when you pass",
                "ID verification Needed for the certificate",
                "Upgrade by 20 June 2027, 00:00 UTC",
            ],
        ),
    ],
)
def test_about_page_shows_each_tracks_certificate_and_price_facts(client, course_b, slug, facts):
    response = client.get(about_url(course_b))

    assert response.status_code == 200
    card = text(track_card(page(response), slug))
    for fact in facts:
        assert fact in card


def test_verified_is_listed_as_unavailable_with_the_ecommerce_reason(client, course_b):
    root = page(client.get(about_url(course_b)))

    assert track_slugs(root) == ["audit", "honor", "verified"]
    verified = track_card(root, "verified")
    assert "unavailable" in attr(verified, "class").split()
    reason = text(find(verified, "p", role="note"))
    assert reason.startswith("Unavailable: e-commerce is not enabled for this site.")
    assert "E-commerce enabled" in reason
    for free in ("audit", "honor"):
        card = track_card(root, free)
        assert "unavailable" not in attr(card, "class").split()
        assert find_all(card, "p", role="note") == []


def test_anonymous_visitor_is_asked_to_log_in_to_enroll(client, course_b):
    root = page(client.get(about_url(course_b)))

    enroll = text(find(root, "section", aria_labelledby="enroll-heading"))
    assert "Log in or sign up to enroll." in enroll
    assert find_all(root, "form", action=reverse("web:course-enroll", args=[course_b.key])) == []


@pytest.mark.parametrize(
    "key",
    [
        "course-v1:bad",
        "course-v1:Org+Number+Run+Extra",
        "course-v1:Org+Num ber+Run",
        "Org/Number/Run/Extra",
        "course-v1:DemoX+Unknown+2026",
        "DemoX/Unknown/2026",
    ],
)
def test_malformed_or_unknown_course_keys_are_404_never_500(client, course_b, key):
    response = client.get(f"/courses/{key}/")

    assert response.status_code == 404
    assert text(find(page(response), "h1")) == "Not found"


@pytest.mark.parametrize(
    "key",
    ["course-v1:Org+Number+Run+Extra", "course-v1:DemoX+Unknown+2026", "DemoX/Unknown/2026"],
)
@pytest.mark.parametrize(
    "suffix", ["instructor/", "instructor/audit/", "instructor/tracks/1/edit/"]
)
def test_instructor_pages_of_a_malformed_or_unknown_key_are_404(
    login, global_staff, course_b, key, suffix
):
    response = login(global_staff).get(f"/courses/{key}/{suffix}")

    assert response.status_code == 404


def test_malformed_key_on_enroll_is_404_for_a_signed_in_learner(login, learner):
    response = login(learner).post("/courses/course-v1:Org+Number+Run+Extra/enroll/")

    assert response.status_code == 404


def test_legacy_slash_key_opens_a_course_created_with_that_key(client):
    course = make_course(key="DemoX/Legacy101/2026", title="A legacy course")

    response = client.get("/courses/DemoX/Legacy101/2026/")

    assert response.status_code == 200
    assert text(find(page(response), "h1")) == "A legacy course"
    assert about_url(course) == "/courses/DemoX/Legacy101/2026/"


def test_legacy_course_is_listed_and_linked_from_the_catalog(client):
    make_course(key="DemoX/Legacy101/2026", title="A legacy course")

    root = page(client.get(reverse("web:catalog")))

    assert find(root, "a", href="/courses/DemoX/Legacy101/2026/")
