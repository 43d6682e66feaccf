"""Course tracks in the admin: every write goes through the tracks service."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from tests.admin.conftest import form_row, row_has_errors
from tests.factories import make_course, make_track
from tests.web.markup import page

ADD = reverse("admin:tracks_coursetrack_add")


def track_post(course, **values: str) -> dict[str, str]:
    data = {
        "course": str(course.pk),
        "slug": "honor",
        "display_name": "",
        "price": "0",
        "currency": "usd",
        "upgrade_deadline_0": "",
        "upgrade_deadline_1": "",
        "description": "",
        "sku": "",
        "bulk_sku": "",
        "_save": "Save",
    }
    data.update(values)
    return data


@pytest.fixture
def course():
    return make_course(title="Admin course")


def test_add_form_loads(admin_client):
    assert admin_client.get(ADD).status_code == 200


def test_adding_verified_while_ecommerce_is_off_shows_the_services_error(admin_client, course):
    response = admin_client.post(
        ADD, track_post(course, slug="verified", display_name="Verified", price="49")
    )

    assert response.status_code == 200  # the form again, with the error
    root = page(response)
    assert row_has_errors(root, "slug")
    row = form_row(root, "slug")
    assert "Verified is a paid track: enable e-commerce for the site first" in row
    assert "E-commerce enabled" in row
    assert response.context["adminform"].form.errors["slug"] == [
        "Verified is a paid track: enable e-commerce for the site first (Site configuration → "
        "“E-commerce enabled” (environment: ECOMMERCE_ENABLED))."
    ]
    assert not CourseTrack.objects.exists()
    assert not CourseTrackHistory.objects.exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"price": "-1"}, "price", "A price cannot be negative."),
        ({"currency": "xyz"}, "currency", "is not a known ISO 4217 currency code"),
        (
            {"upgrade_deadline_0": "2027-01-15", "upgrade_deadline_1": "10:00:00"},
            "upgrade_deadline",
            "Only tracks that learners upgrade to can have an upgrade deadline",
        ),
    ],
)
def test_refused_values_are_shown_beside_their_field(admin_client, course, values, field, message):
    response = admin_client.post(ADD, track_post(course, display_name="Honor", **values))

    assert response.status_code == 200
    root = page(response)
    assert row_has_errors(root, field)
    assert message in form_row(root, field)
    assert not CourseTrack.objects.exists()


def test_duplicate_track_is_refused_by_the_service(admin_client, course):
    make_track(course, "honor")

    response = admin_client.post(ADD, track_post(course, display_name="Honor again"))

    assert response.status_code == 200
    assert "This course already offers Honor in USD." in form_row(page(response), "slug")
    assert CourseTrack.objects.filter(course=course).count() == 1


def test_adding_honor_works_and_writes_history(admin_client, superuser, course):
    response = admin_client.post(ADD, track_post(course, display_name="Honor"))

    assert response.status_code == 302
    track = CourseTrack.objects.get(course=course)
    assert (track.slug, track.price, track.currency) == ("honor", Decimal(0), "usd")
    history = CourseTrackHistory.objects.get(course=course)
    assert (history.slug, history.change, history.actor) == ("honor", TrackChange.ADDED, superuser)
    assert history.snapshot["display_name"] == "Honor"


def test_changing_a_track_goes_through_the_service(admin_client, superuser, course):
    track = make_track(course, "honor")
    change = reverse("admin:tracks_coursetrack_change", args=[track.pk])

    response = admin_client.post(
        change, track_post(course, display_name="Honor code", description="Pledge")
    )

    assert response.status_code == 302
    track.refresh_from_db()
    assert (track.display_name, track.description) == ("Honor code", "Pledge")
    latest = CourseTrackHistory.objects.filter(course=course).first()
    assert (latest.change, latest.actor) == (TrackChange.UPDATED, superuser)


def test_a_tracks_type_cannot_change_in_the_admin(admin_client, course):
    track = make_track(course, "honor")
    change = reverse("admin:tracks_coursetrack_change", args=[track.pk])

    response = admin_client.post(change, track_post(course, slug="audit", display_name="Audit"))

    assert response.status_code == 200
    assert "A track's type cannot change" in form_row(page(response), "slug")
    track.refresh_from_db()
    assert track.slug == "honor"


def test_deleting_a_track_writes_removed_history(admin_client, superuser, course):
    track = make_track(course, "honor")
    delete = reverse("admin:tracks_coursetrack_delete", args=[track.pk])

    response = admin_client.post(delete, {"post": "yes"})

    assert response.status_code == 302
    assert not CourseTrack.objects.filter(pk=track.pk).exists()
    latest = CourseTrackHistory.objects.filter(course=course).first()
    assert (latest.slug, latest.change, latest.actor) == ("honor", TrackChange.REMOVED, superuser)


def test_bulk_delete_of_tracks_writes_history_for_each(admin_client, course):
    tracks = [make_track(course, "audit"), make_track(course, "honor")]

    response = admin_client.post(
        reverse("admin:tracks_coursetrack_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in tracks], "post": "yes"},
    )

    assert response.status_code == 302
    assert not CourseTrack.objects.exists()
    removed = CourseTrackHistory.objects.filter(change=TrackChange.REMOVED)
    assert sorted(removed.values_list("slug", flat=True)) == ["audit", "honor"]


def test_track_history_is_read_only(admin_client, course):
    make_track(course, "honor")
    entry = CourseTrackHistory.objects.get()
    change = reverse("admin:tracks_coursetrackhistory_change", args=[entry.pk])

    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"slug": "audit"}).status_code == 403
    assert admin_client.get(reverse("admin:tracks_coursetrackhistory_add")).status_code == 403
    delete = reverse("admin:tracks_coursetrackhistory_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.slug == "honor"
