"""The instructor dashboard: who may open each page, and what the course team sees and does."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from enrollment_tracks.core.services import site_configuration_update
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from tests.factories import (
    UserFactory,
    enable_paid_tracks,
    make_course,
    make_course_team,
    make_track,
)
from tests.web.conftest import END
from tests.web.markup import (
    attr,
    field_error_is_announced,
    field_errors,
    find,
    find_all,
    has,
    page,
    text,
)

TRACK_FIELDS = (
    "slug", "display_name", "price", "currency", "upgrade_deadline",
    "upgrade_deadline_is_explicit", "description", "sku", "bulk_sku",
)  # fmt: skip


def track_form(**values: str) -> dict[str, str]:
    """What the add/edit form posts: every field, empty unless given (the checkbox only if on)."""
    data = {name: "" for name in TRACK_FIELDS if name != "upgrade_deadline_is_explicit"}
    data["price"] = "0"
    data.update(values)
    return data


def url(name: str, course, *args) -> str:
    return reverse(f"web:instructor-{name}", args=[course.key, *args])


@pytest.fixture
def course():
    """A course whose team manages tracks: audit configured, an end date for deadlines."""
    course = make_course(title="Team course", end=END)
    make_track(course, "audit")
    return course


@pytest.fixture
def staff(course):
    return make_course_team(course, "staff", username="coursestaff")


@pytest.fixture
def staff_client(login, staff):
    return login(staff)


def tracks_page(client: Client, course):
    response = client.get(url("tracks", course))
    assert response.status_code == 200
    return page(response)


def configured_slugs(root) -> list[str]:
    return [attr(row, "data-track") for row in find_all(root, "tr") if attr(row, "data-track")]


# ---------------------------------------------------------------------------- who may open what


def _endpoints(course, audit_track):
    """name → (method, url, data, success status). A POST that succeeds redirects to the tab."""
    return {
        "tracks tab GET": ("get", url("tracks", course), None, 200),
        "add POST": ("post", url("track-add", course), track_form(slug="honor"), 302),
        "edit GET": ("get", url("track-edit", course, audit_track.pk), None, 200),
        "edit POST": (
            "post",
            url("track-edit", course, audit_track.pk),
            track_form(slug="audit", display_name="Audit (free)"),
            302,
        ),
        "delete POST": ("post", url("track-delete", course, audit_track.pk), {}, 302),
        "default POST": (
            "post",
            url("track-default", course),
            {"track_id": str(audit_track.pk)},
            302,
        ),
        "audit GET": ("get", url("audit", course), None, 200),
    }


ENDPOINTS = (
    "tracks tab GET", "add POST", "edit GET", "edit POST", "delete POST", "default POST",
    "audit GET",
)  # fmt: skip

WHO = {
    "anonymous": "login",
    "learner": "forbidden",
    "staff of another course": "forbidden",
    "instructor of another course": "forbidden",
    "course staff": "allowed",
    "course instructor": "allowed",
    "global staff": "allowed",
}


@pytest.fixture
def client_as(course):
    def make(who: str) -> Client:
        client = Client()
        if who == "anonymous":
            return client
        if who == "learner":
            user = UserFactory()
            enrollment_create(actor=user, learner=user, course=course)
        elif who == "staff of another course":
            user = make_course_team(make_course(), "staff")
        elif who == "instructor of another course":
            user = make_course_team(make_course(), "instructor")
        elif who == "course staff":
            user = make_course_team(course, "staff")
        elif who == "course instructor":
            user = make_course_team(course, "instructor")
        else:
            user = UserFactory(is_staff=True)
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_permission_table(client_as, course, who, endpoint):
    audit_track = CourseTrack.objects.get(course=course, slug="audit")
    method, target, data, success = _endpoints(course, audit_track)[endpoint]
    history_before = CourseTrackHistory.objects.count()
    client = client_as(who)

    response = getattr(client, method)(target, data or {})

    expected = WHO[who]
    if expected == "login":
        assert response.status_code == 302
        location = urlsplit(response["Location"])
        assert location.path == reverse("web:login")
        assert parse_qs(location.query) == {"next": [target]}
    elif expected == "forbidden":
        assert response.status_code == 403
        assert "Only the course team can open the instructor dashboard." in text(page(response))
    else:
        assert response.status_code == success
        if success == 302:
            assert response["Location"] == url("tracks", course)
    changed = CourseTrackHistory.objects.count() != history_before
    assert changed is (expected == "allowed" and method == "post")


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("post", "tracks"),
        ("post", "audit"),
        ("get", "track-add"),
        ("get", "track-delete"),
        ("get", "track-default"),
        ("put", "track-edit"),
        ("delete", "track-edit"),
        ("delete", "track-delete"),
    ],
)
def test_each_page_takes_only_its_methods(staff_client, course, method, name):
    track = CourseTrack.objects.get(course=course, slug="audit")
    args = (track.pk,) if name in {"track-edit", "track-delete"} else ()

    response = getattr(staff_client, method)(url(name, course, *args))

    assert response.status_code == 405
    assert CourseTrack.objects.filter(pk=track.pk).exists()


def test_method_is_checked_before_login(client, course):
    assert client.get(url("track-add", course)).status_code == 405


def test_about_page_links_the_course_team_to_the_dashboard(login, staff, learner, course):
    about = reverse("web:course-about", args=[course.key])

    for_staff = page(login(staff).get(about))
    for_learner = page(login(learner).get(about))

    assert find(for_staff, "a", href=url("tracks", course))
    assert find_all(for_learner, "a", href=url("tracks", course)) == []


def test_tracks_of_another_course_are_not_found(staff_client, course):
    foreign = make_track(make_course(), "honor")

    edit, delete = url("track-edit", course, foreign.pk), url("track-delete", course, foreign.pk)

    assert staff_client.get(edit).status_code == 404
    assert staff_client.post(edit, track_form(slug="honor", display_name="Mine")).status_code == 404
    assert staff_client.post(delete).status_code == 404
    pin = staff_client.post(url("track-default", course), {"track_id": str(foreign.pk)})
    assert pin.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.display_name, foreign.is_pinned_default) == ("Honor", False)


# ---------------------------------------------------------------------------- adding tracks


def test_course_team_adds_honor_and_certificates_become_configurable(login):
    course = make_course(title="Tracks 101")  # nothing configured: audit only
    client = login(make_course_team(course, "staff"))
    before = tracks_page(client, course)
    assert "No tracks configured" in text(find(before, "p", id="no-tracks"))
    assert text(find(before, "p", id="certificate-rule")).startswith(
        "Certificates cannot be configured"
    )

    response = client.post(url("track-add", course), track_form(slug="honor"), follow=True)

    assert response.status_code == 200
    after = page(response)
    assert text(find(after, "div", role="status")) == "Honor added."
    assert configured_slugs(after) == ["honor"]
    row = text(find(after, "tr", data_track="honor"))
    assert "Honor" in row
    assert "Free" in row
    assert "Available" in row
    assert find_all(after, "p", id="no-tracks") == []
    assert text(find(after, "p", id="certificate-rule")) == (
        "This course offers a track that grants a certificate, so certificates can be configured."
    )
    track = CourseTrack.objects.get(course=course)
    assert (track.slug, track.price, track.currency) == ("honor", Decimal(0), "usd")


def test_adding_verified_while_ecommerce_is_off_is_refused_beside_the_track_field(
    staff_client, course
):
    response = staff_client.post(url("track-add", course), track_form(slug="verified", price="49"))

    assert response.status_code == 400
    root = page(response)
    error = field_errors(root, "slug")
    assert error.startswith("Verified is a paid track: enable e-commerce for the site first")
    assert "E-commerce enabled" in error
    assert field_error_is_announced(root, "slug")
    assert field_errors(root, "price") == ""
    assert text(find(root, "label", for_="id_slug")) == "Track:"
    assert configured_slugs(root) == ["audit"]
    assert list(CourseTrack.objects.filter(course=course).values_list("slug", flat=True)) == [
        "audit"
    ]


REFUSALS = [
    pytest.param(
        {"slug": "verified", "price": "0.50"}, True, "price",
        "The Verified track has a minimum price of 1. Set a price greater than or equal to 1.",
        id="price below the minimum",
    ),
    pytest.param(
        {"slug": "no-id-professional", "price": "0"}, True, "price",
        "The No-Id-Professional track must have a price above 0.",
        id="paid track at zero",
    ),
    pytest.param(
        {"slug": "honor", "price": "-5"}, False, "price", "A price cannot be negative.",
        id="negative price",
    ),
    pytest.param(
        {"slug": "honor", "price": "1.005"}, True, "price",
        "A price has at most two decimal places.",
        id="fractions of a cent",
    ),
    pytest.param(
        {"slug": "honor", "price": "ten"}, False, "price", "Enter a number.",
        id="price not a number",
    ),
    pytest.param(
        {"slug": "honor", "currency": "xyz"}, False, "currency",
        "“xyz” is not a known ISO 4217 currency code (for example usd or eur).",
        id="unknown currency",
    ),
    pytest.param(
        {"slug": "audit"}, False, "slug", "This course already offers Audit in USD.",
        id="duplicate track",
    ),
    pytest.param(
        {"slug": "honor", "upgrade_deadline": "2027-01-15T10:00"}, False, "upgrade_deadline",
        "Only tracks that learners upgrade to can have an upgrade deadline; Honor cannot. "
        "Close enrollment with the course's enrollment end date instead.",
        id="deadline on honor",
    ),
    pytest.param(
        {"slug": "verified", "price": "49", "upgrade_deadline": "2027-07-15T10:00"}, True,
        "upgrade_deadline", "The upgrade deadline must be on or before the course's end.",
        id="deadline after the course ends",
    ),
    pytest.param(
        {"slug": "verified", "price": "49", "upgrade_deadline_is_explicit": "on"}, True,
        "upgrade_deadline", "Give an upgrade deadline before locking it.",
        id="locked deadline without a deadline",
    ),
    pytest.param(
        {"slug": "honor", "price": "10"}, False, "price",
        "Honor is a paid track: enable e-commerce for the site first (Site configuration → "
        "“E-commerce enabled” (environment: ECOMMERCE_ENABLED)).",
        id="priced honor while e-commerce is off",
    ),
    pytest.param(
        {"slug": "platinum"}, False, "slug", "“platinum” is not a track this site knows.",
        id="unknown track",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("values", "paid_tracks_on", "field", "message"), REFUSALS)
def test_refused_track_shows_the_message_beside_the_right_field(
    staff_client, course, values, paid_tracks_on, field, message
):
    if paid_tracks_on:
        enable_paid_tracks()

    response = staff_client.post(url("track-add", course), track_form(**values))

    assert response.status_code == 400
    root = page(response)
    assert field_errors(root, field) == message
    assert field_error_is_announced(root, field)
    others = [name for name in TRACK_FIELDS if name != field]
    assert [name for name in others if field_errors(root, name)] == []
    assert find_all(root, "div", role="alert") == []
    assert CourseTrack.objects.filter(course=course).count() == 1
    # The form keeps what was typed.
    if "price" in values and field != "slug":
        assert attr(find(root, "input", name="price"), "value") == values["price"]


def test_verified_needs_id_verification_too(staff_client, course):
    site_configuration_update(ecommerce_enabled=True, id_verification_enabled=False)

    response = staff_client.post(url("track-add", course), track_form(slug="verified", price="49"))

    assert response.status_code == 400
    error = field_errors(page(response), "slug")
    assert error.startswith("Verified needs ID verification: enable it for the site first")
    assert "ID verification enabled" in error


def test_verified_is_added_once_the_site_sells(staff_client, course):
    enable_paid_tracks()

    response = staff_client.post(
        url("track-add", course),
        track_form(slug="verified", price="49", upgrade_deadline="2027-06-01T12:00"),
        follow=True,
    )

    assert response.status_code == 200
    row = text(find(page(response), "tr", data_track="verified"))
    assert "$49.00" in row
    assert "1 Jun 2027 12:00 UTC" in row


def test_a_track_the_site_stopped_selling_shows_why(staff_client, course):
    enable_paid_tracks()
    make_track(course, "verified", price=49)
    site_configuration_update(ecommerce_enabled=False)

    row = text(find(tracks_page(staff_client, course), "tr", data_track="verified"))

    assert "Unavailable: e-commerce is not enabled for this site." in row


# ---------------------------------------------------------------------------- edit, delete, pin


def test_edit_page_shows_the_tracks_values(staff_client, course):
    honor = make_track(course, "honor", description="Certificate on passing")

    response = staff_client.get(url("track-edit", course, honor.pk))

    assert response.status_code == 200
    root = page(response)
    assert text(find(root, "h2")) == "Edit Honor"
    assert attr(find(root, "input", name="display_name"), "value") == "Honor"
    assert text(find(root, "textarea", name="description")) == "Certificate on passing"
    select = find(root, "select", name="slug")
    assert has(select, "disabled")
    assert _selected(select) == ["honor"]


def _selected(select) -> list[str]:
    return [attr(option, "value") for option in find_all(select, "option", selected=None)]


def test_course_team_edits_a_track(staff_client, staff, course):
    honor = make_track(course, "honor")

    response = staff_client.post(
        url("track-edit", course, honor.pk),
        track_form(slug="honor", display_name="Honor code", description="Pledge and pass"),
    )

    assert response.status_code == 302
    honor.refresh_from_db()
    assert (honor.display_name, honor.description) == ("Honor code", "Pledge and pass")
    root = tracks_page(staff_client, course)
    assert text(find(root, "div", role="status")) == "Honor code saved."
    assert "Honor code" in text(find(root, "tr", data_track="honor"))
    latest = CourseTrackHistory.objects.filter(course=course).first()
    assert (latest.slug, latest.change, latest.actor) == ("honor", TrackChange.UPDATED, staff)


def test_refused_edit_shows_the_error_and_keeps_the_track(staff_client, course):
    honor = make_track(course, "honor")

    response = staff_client.post(
        url("track-edit", course, honor.pk), track_form(slug="honor", price="-1")
    )

    assert response.status_code == 400
    root = page(response)
    assert field_errors(root, "price") == "A price cannot be negative."
    assert _selected(find(root, "select", name="slug")) == ["honor"]
    honor.refresh_from_db()
    assert honor.price == Decimal(0)


def test_a_tracks_type_cannot_change_by_edit(staff_client, course):
    honor = make_track(course, "honor")

    response = staff_client.post(url("track-edit", course, honor.pk), track_form(slug="audit"))

    assert response.status_code == 400
    assert field_errors(page(response), "slug") == (
        "A track's type cannot change; remove it and add the other one."
    )
    honor.refresh_from_db()
    assert honor.slug == "honor"


def test_course_team_deletes_a_track_and_history_says_removed(staff_client, course):
    honor = make_track(course, "honor")

    response = staff_client.post(url("track-delete", course, honor.pk), follow=True)

    assert response.status_code == 200
    root = page(response)
    assert text(find(root, "div", role="status")) == (
        "Honor removed. Learners already on it stay on it until you move them."
    )
    assert configured_slugs(root) == ["audit"]
    history = [text(item) for item in find_all(find(root, "ul", class_="history"), "li")]
    assert "Removed honor by coursestaff" in history[0]
    assert not CourseTrack.objects.filter(pk=honor.pk).exists()


def test_learners_keep_a_deleted_track(staff_client, course, learner):
    honor = make_track(course, "honor")
    enrollment_create(actor=learner, learner=learner, course=course, track="honor")

    staff_client.post(url("track-delete", course, honor.pk))

    assert learner.enrollments.get().track == "honor"


def test_course_team_pins_honor_as_default(staff_client, course):
    honor = make_track(course, "honor")
    before = tracks_page(staff_client, course)
    assert text(find(before, "strong", id="default-track")) == "Audit"

    response = staff_client.post(
        url("track-default", course), {"track_id": str(honor.pk)}, follow=True
    )

    root = page(response)
    assert text(find(root, "div", role="status")) == "Default track saved."
    assert text(find(root, "strong", id="default-track")) == "Honor"
    assert "pinned default" in text(find(root, "tr", data_track="honor"))
    assert "pinned default" not in text(find(root, "tr", data_track="audit"))
    assert _selected(find(root, "select", id="pin-track")) == [str(honor.pk)]
    honor.refresh_from_db()
    assert honor.is_pinned_default is True


def test_unpinning_returns_to_the_rule(staff_client, course):
    honor = make_track(course, "honor")
    staff_client.post(url("track-default", course), {"track_id": str(honor.pk)})

    staff_client.post(url("track-default", course), {"track_id": ""})

    root = tracks_page(staff_client, course)
    assert text(find(root, "strong", id="default-track")) == "Audit"
    honor.refresh_from_db()
    assert honor.is_pinned_default is False


def test_a_paid_track_cannot_be_pinned(staff_client, course):
    enable_paid_tracks()
    verified = make_track(course, "verified", price=49)

    response = staff_client.post(
        url("track-default", course), {"track_id": str(verified.pk)}, follow=True
    )

    assert text(find(page(response), "div", role="status")) == (
        "Only a free track can be the default; Verified is paid."
    )
    verified.refresh_from_db()
    assert verified.is_pinned_default is False


def test_paid_tracks_are_not_offered_in_the_pin_list(staff_client, course):
    enable_paid_tracks()
    make_track(course, "verified", price=49)
    make_track(course, "honor")

    select = find(tracks_page(staff_client, course), "select", id="pin-track")

    assert [text(option) for option in find_all(select, "option")] == [
        "Use the rule", "Audit", "Honor",
    ]  # fmt: skip


def test_tracks_tab_counts_active_enrollments_per_track(staff_client, course):
    make_track(course, "honor")
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    enrollment_create(actor=first, learner=first, course=course, track="honor")
    enrollment_create(actor=second, learner=second, course=course, track="audit")
    enrollment_create(actor=third, learner=third, course=course, track="audit")
    enrollment_unenroll(actor=third, learner=third, course=course)

    root = tracks_page(staff_client, course)

    learners_column = 4
    rows = {slug: find(root, "tr", data_track=slug) for slug in ("audit", "honor")}
    counts = {slug: text(find_all(row, "td")[learners_column - 1]) for slug, row in rows.items()}
    assert counts == {"audit": "1", "honor": "1"}
    assert "Active enrollments: 2." in text(root)


# ---------------------------------------------------------------------------- audit tab


@pytest.fixture
def audited_course(course, staff):
    ada = UserFactory(username="ada", email="ada@example.org")
    bob = UserFactory(username="bob", email="bob@example.org")
    make_track(course, "honor")
    enrollment_create(actor=ada, learner=ada, course=course, track="honor")
    enrollment_create(actor=bob, learner=bob, course=course)
    enrollment_unenroll(actor=staff, learner=bob, course=course, reason="Left the cohort")
    return course


AUDIT_COLUMNS = ("when", "learner", "change", "track", "by", "reason")


def audit_rows(client: Client, course, **query: str) -> list[dict[str, str]]:
    """The audit tab's rows, each as column → text."""
    response = client.get(url("audit", course), query)
    assert response.status_code == 200
    table = find(page(response), "table", id="audit-table")
    rows = []
    for row in find_all(find(table, "tbody"), "tr"):
        cells = [text(cell) for cell in find_all(row, "td")]
        rows.append(dict(zip(AUDIT_COLUMNS, cells, strict=False)))
    return rows


def without_time(row: dict[str, str]) -> dict[str, str]:
    return {column: value for column, value in row.items() if column != "when"}


def test_audit_tab_lists_every_change_newest_first(staff_client, audited_course):
    rows = audit_rows(staff_client, audited_course)

    assert [without_time(row) for row in rows] == [
        {"learner": "bob", "change": "from enrolled to unenrolled", "track": "audit → audit",
         "by": "coursestaff (staff)", "reason": "Left the cohort"},
        {"learner": "bob", "change": "from unenrolled to enrolled", "track": "— → audit",
         "by": "bob (learner)", "reason": ""},
        {"learner": "ada", "change": "from unenrolled to enrolled", "track": "— → honor",
         "by": "ada (learner)", "reason": ""},
    ]  # fmt: skip
    assert rows[0]["when"] == "1 Oct 2026 12:00:00"


@pytest.mark.parametrize("learner", ["bob", "BOB", "bob@example.org", " Bob@Example.org "])
def test_audit_tab_filters_by_learner(staff_client, audited_course, learner):
    rows = audit_rows(staff_client, audited_course, learner=learner)

    assert [row["learner"] for row in rows] == ["bob", "bob"]


def test_audit_filter_keeps_what_was_typed(staff_client, audited_course):
    response = staff_client.get(url("audit", audited_course), {"learner": "ada"})

    assert attr(find(page(response), "input", name="learner"), "value") == "ada"


def test_audit_filter_without_matches_says_so(staff_client, audited_course):
    rows = audit_rows(staff_client, audited_course, learner="nobody")

    assert rows == [{"when": "No changes recorded for “nobody”."}]


def test_audit_tab_shows_only_its_course(staff_client, audited_course):
    elsewhere = make_course()
    carol = UserFactory(username="carol")
    enrollment_create(actor=carol, learner=carol, course=elsewhere)

    rows = audit_rows(staff_client, audited_course)

    assert {row["learner"] for row in rows} == {"ada", "bob"}


def test_tracks_tab_names_learners_left_on_a_track_no_longer_offered(client):
    """Adding honor to an audit-only course leaves its audit learners on audit, and says so."""
    from enrollment_tracks.enrollments.services import enrollment_create
    from tests.factories import UserFactory, make_course, make_course_team, make_track

    course = make_course()
    staff = make_course_team(course)
    for learner in UserFactory.create_batch(3):
        enrollment_create(actor=staff, learner=learner, course=course)
    client.force_login(staff)
    url = f"/courses/{course.key}/instructor/"
    assert 'id="stranded"' not in client.get(url).content.decode()
    make_track(course, "honor")
    page = client.get(url).content.decode()
    assert 'id="stranded"' in page
    assert "Audit: 3" in page
