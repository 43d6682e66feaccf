"""Signing up, logging in and out."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from enrollment_tracks.accounts.models import User
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Transition
from enrollment_tracks.enrollments.services import invitation_create
from tests.factories import PASSWORD, UserFactory, make_course_team
from tests.web.markup import field_error_is_announced, field_errors, find, page, text

NEW_PASSWORD = "lantern-orbit-pickle-93"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "newlearner",
        "name": "New Learner",
        "email": "new.learner@example.org",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def signed_in_user_id(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def test_signup_page_shows_the_form(client):
    response = client.get(reverse("web:signup"))

    assert response.status_code == 200
    root = page(response)
    for field in ("username", "name", "email", "password1", "password2"):
        assert find(root, "input", name=field)


def test_signup_creates_an_account_and_logs_in(client):
    response = client.post(reverse("web:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    user = User.objects.get(username="newlearner")
    assert (user.email, user.name, user.is_active, user.is_staff) == (
        "new.learner@example.org",
        "New Learner",
        True,
        False,
    )
    assert user.check_password(NEW_PASSWORD)
    assert signed_in_user_id(client) == user.pk
    dashboard = page(client.get(reverse("web:dashboard")))
    assert "Log out (newlearner)" in text(find(dashboard, "header"))


def test_duplicate_email_shows_a_field_error_whatever_its_case(client):
    UserFactory(email="taken@example.org")

    response = client.post(reverse("web:signup"), signup_data(email="Taken@Example.org"))

    assert response.status_code == 400
    root = page(response)
    assert field_errors(root, "email") == "An account with this email already exists."
    assert field_error_is_announced(root, "email")
    assert field_errors(root, "username") == ""
    assert not User.objects.filter(username="newlearner").exists()
    assert signed_in_user_id(client) is None


def test_duplicate_username_shows_a_field_error(client):
    UserFactory(username="newlearner")

    response = client.post(reverse("web:signup"), signup_data(username="NewLearner"))

    assert response.status_code == 400
    assert field_errors(page(response), "username") == "That username is taken."
    assert User.objects.filter(username__iexact="newlearner").count() == 1


def test_password_mismatch_is_shown_beside_the_second_password(client):
    response = client.post(reverse("web:signup"), signup_data(password2="lantern-orbit-pickle-94"))

    assert response.status_code == 400
    root = page(response)
    assert field_errors(root, "password2") == "The two passwords differ."
    assert field_error_is_announced(root, "password2")
    assert not User.objects.filter(username="newlearner").exists()


def test_weak_password_is_refused_beside_the_password(client):
    response = client.post(
        reverse("web:signup"), signup_data(password1="12345678", password2="12345678")
    )

    assert response.status_code == 400
    errors = field_errors(page(response), "password1")
    assert "This password is too common." in errors
    assert not User.objects.filter(username="newlearner").exists()


def test_missing_fields_are_reported(client):
    empty = dict.fromkeys(signup_data(), "")  # what a browser sends for an untouched form

    response = client.post(reverse("web:signup"), empty)

    assert response.status_code == 400
    root = page(response)
    for field in ("username", "email", "password1", "password2"):
        assert field_errors(root, field) == "This field is required."
    assert field_errors(root, "name") == ""


def test_auto_enroll_invitation_enrolls_the_new_account(
    client, free_choice_course, django_capture_on_commit_callbacks
):
    staff = make_course_team(free_choice_course)
    invitation_create(
        actor=staff,
        course=free_choice_course,
        email="new.learner@example.org",
        auto_enroll=True,
        reason="Cohort 3",
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("web:signup"), signup_data(email="New.Learner@example.org"))

    assert response.status_code == 302
    user = User.objects.get(username="newlearner")
    enrollment = Enrollment.objects.get(user=user, course=free_choice_course)
    assert (enrollment.track, enrollment.is_active) == ("audit", True)
    audit = EnrollmentAudit.objects.get(learner=user, course=free_choice_course)
    assert audit.transition == Transition.ALLOWEDTOENROLL_TO_ENROLLED
    assert audit.reason == "Cohort 3"
    dashboard = page(client.get(reverse("web:dashboard")))
    assert find(dashboard, "tr", data_course=free_choice_course.key)


def test_invitation_without_auto_enroll_does_not_enroll(
    client, free_choice_course, django_capture_on_commit_callbacks
):
    staff = make_course_team(free_choice_course)
    invitation_create(
        actor=staff, course=free_choice_course, email="new.learner@example.org", auto_enroll=False
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("web:signup"), signup_data())

    assert not Enrollment.objects.filter(user__username="newlearner").exists()


def test_login_page_logs_in_and_follows_next(client, free_choice_course):
    user = UserFactory(username="returning")
    about = reverse("web:course-about", args=[free_choice_course.key])

    response = client.post(
        reverse("web:login"), {"username": "returning", "password": PASSWORD, "next": about}
    )

    assert response.status_code == 302
    assert response["Location"] == about
    assert signed_in_user_id(client) == user.pk


def test_login_with_a_wrong_password_says_so(client):
    UserFactory(username="returning")

    response = client.post(reverse("web:login"), {"username": "returning", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in text(
        find(page(response), "div", role="alert")
    )
    assert signed_in_user_id(client) is None


def test_logout_is_a_post_and_lands_on_the_catalog(client, learner):
    client.force_login(learner)

    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:catalog")
    assert signed_in_user_id(client) is None
