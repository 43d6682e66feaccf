"""Every model registered in the admin has a working list page for the superuser."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from enrollment_tracks.core.models import SiteConfiguration
from enrollment_tracks.enrollments.services import (
    enrollment_create,
    enrollment_unenroll,
    invitation_create,
)
from tests.factories import UserFactory, make_course, make_course_team, make_track

EXPECTED_MODELS = {
    "accounts.User", "courses.CourseRun", "tracks.CourseTrack", "tracks.CourseTrackHistory",
    "enrollments.Enrollment", "enrollments.Invitation", "enrollments.EnrollmentAudit",
    "core.SiteConfiguration",
}  # fmt: skip


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def some_of_everything(superuser):
    course = make_course(title="Listed course")
    make_track(course, "audit")
    make_track(course, "honor")
    staff = make_course_team(course)
    learner = UserFactory()
    enrollment_create(actor=learner, learner=learner, course=course, track="honor")
    enrollment_unenroll(actor=staff, learner=learner, course=course, reason="Testing")
    invitation_create(actor=staff, course=course, email="invited@example.org", auto_enroll=True)
    return course


def test_every_domain_model_is_in_the_admin():
    registered = {model._meta.label for model in admin.site._registry}

    assert registered >= EXPECTED_MODELS


@pytest.mark.parametrize(
    "model",
    [model for model in admin.site._registry if model is not SiteConfiguration],
    ids=lambda model: model._meta.label,
)
def test_changelist_loads(admin_client, some_of_everything, model):
    response = admin_client.get(changelist_url(model))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= (1 if model._meta.label in EXPECTED_MODELS else 0)


@pytest.mark.parametrize("query", ["?q=honor", "?q=Listed", "?o=1", "?p=0"])
def test_changelists_search_and_sort(admin_client, some_of_everything, query):
    for model in admin.site._registry:
        if model is SiteConfiguration:
            continue
        response = admin_client.get(changelist_url(model) + query)
        assert response.status_code == 200, model._meta.label


def test_site_configuration_changelist_opens_the_single_row(admin_client):
    response = admin_client.get(changelist_url(SiteConfiguration))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:core_siteconfiguration_change", args=[1])
    assert SiteConfiguration.objects.count() == 1
    assert admin_client.get(response["Location"]).status_code == 200


def test_site_configuration_cannot_be_added_or_deleted(admin_client):
    admin_client.get(changelist_url(SiteConfiguration))

    assert admin_client.get(reverse("admin:core_siteconfiguration_add")).status_code == 403
    delete = reverse("admin:core_siteconfiguration_delete", args=[1])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert SiteConfiguration.objects.count() == 1


def test_admin_index_lists_the_domain_apps(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert response.status_code == 200
    apps = {app["app_label"] for app in response.context["app_list"]}
    assert {"accounts", "core", "courses", "tracks", "enrollments"} <= apps
