"""Site configuration and course runs in the admin."""

from __future__ import annotations

from django.urls import reverse

from enrollment_tracks.core.selectors import site_configuration_get, site_configuration_row
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun
from tests.admin.conftest import form_row, row_has_errors
from tests.factories import UserFactory, make_course
from tests.web.markup import page

COURSE_ADD = reverse("admin:courses_courserun_add")


def site_post(**values: str) -> dict[str, str]:
    data = {"platform_name": "Enrollment Tracks", "default_currency": "usd"}
    data.update(values)
    return data


def test_switching_ecommerce_on_in_the_admin_takes_effect(admin_client):
    assert site_configuration_get().ecommerce_enabled is False  # warms the cache
    row = site_configuration_row()
    change = reverse("admin:core_siteconfiguration_change", args=[row.pk])

    response = admin_client.post(change, site_post(ecommerce_enabled="on"))

    assert response.status_code == 302
    settings = site_configuration_get()
    assert settings.ecommerce_enabled is True
    assert settings.id_verification_enabled is False


def test_switching_it_on_lets_the_course_team_add_verified(admin_client, client):
    from tests.factories import make_course_team

    course = make_course(title="Paid course")
    staff = make_course_team(course)
    change = reverse("admin:core_siteconfiguration_change", args=[site_configuration_row().pk])
    admin_client.post(change, site_post(ecommerce_enabled="on", id_verification_enabled="on"))

    client.force_login(staff)
    response = client.post(
        reverse("web:instructor-track-add", args=[course.key]),
        {"slug": "verified", "price": "49", "currency": ""},
    )

    assert response.status_code == 302
    assert course.tracks.get().slug == "verified"


def test_unknown_default_currency_is_refused(admin_client):
    change = reverse("admin:core_siteconfiguration_change", args=[site_configuration_row().pk])

    response = admin_client.post(change, site_post(default_currency="xyz"))

    assert response.status_code == 200
    root = page(response)
    assert row_has_errors(root, "default_currency")
    assert "is not a known ISO 4217 currency code" in form_row(root, "default_currency")
    assert site_configuration_get().default_currency == "usd"


def test_currency_is_stored_lower_case(admin_client):
    change = reverse("admin:core_siteconfiguration_change", args=[site_configuration_row().pk])

    admin_client.post(change, site_post(default_currency="EUR"))

    assert site_configuration_get().default_currency == "eur"


def course_post(**values: str) -> dict[str, str]:
    data = {
        "key": "course-v1:AdminX+A1+2026",
        "title": "Made in the admin",
        "start_0": "", "start_1": "", "end_0": "", "end_1": "",
        "enrollment_start_0": "", "enrollment_start_1": "",
        "enrollment_end_0": "", "enrollment_end_1": "",
        "max_enrollments": "",
        "pacing": "instructor",
        "team-TOTAL_FORMS": "0", "team-INITIAL_FORMS": "0",
        "team-MIN_NUM_FORMS": "0", "team-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(values)
    return data


def test_course_add_form_loads(admin_client):
    assert admin_client.get(COURSE_ADD).status_code == 200


def test_course_run_with_a_malformed_key_shows_an_error(admin_client):
    response = admin_client.post(COURSE_ADD, course_post(key="course-v1:bad"))

    assert response.status_code == 200
    root = page(response)
    assert row_has_errors(root, "key")
    assert "“course-v1:bad” is not a valid course run key." in form_row(root, "key")
    assert not CourseRun.objects.exists()


def test_course_run_ending_before_it_starts_is_refused(admin_client):
    response = admin_client.post(
        COURSE_ADD,
        course_post(start_0="2026-09-01", start_1="00:00:00", end_0="2026-08-01", end_1="00:00:00"),
    )

    assert response.status_code == 200
    assert "The course cannot end before it starts." in form_row(page(response), "end")
    assert not CourseRun.objects.exists()


def test_course_run_is_added_with_its_key_parts_and_team(admin_client):
    member = UserFactory(username="teacher")

    response = admin_client.post(
        COURSE_ADD,
        course_post(
            **{
                "team-TOTAL_FORMS": "1",
                "team-0-user": str(member.pk),
                "team-0-role": "instructor",
            }
        ),
    )

    assert response.status_code == 302
    course = CourseRun.objects.get()
    assert (course.key, course.org, course.number, course.run) == (
        "course-v1:AdminX+A1+2026", "AdminX", "A1", "2026",
    )  # fmt: skip
    assert CourseAccessRole.objects.get(course=course).user == member


def test_duplicate_course_key_is_refused(admin_client):
    make_course(key="course-v1:AdminX+A1+2026")

    response = admin_client.post(COURSE_ADD, course_post())

    assert response.status_code == 200
    assert "already exists" in form_row(page(response), "key")
    assert CourseRun.objects.count() == 1


def test_a_course_runs_key_is_read_only_on_change(admin_client):
    course = make_course(key="course-v1:AdminX+A1+2026", title="Old title")
    change = reverse("admin:courses_courserun_change", args=[course.pk])

    response = admin_client.post(
        change, course_post(key="course-v1:AdminX+Other+2026", title="New title")
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.key, course.title) == ("course-v1:AdminX+A1+2026", "New title")
