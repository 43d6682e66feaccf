"""Certificate pages: the Certificates tab (course team only), the public verify page and PDF,
the learner dashboard, the report CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enrollment_tracks.certificates.models import Certificate, Grade
from enrollment_tracks.certificates.pdf import certificate_pdf
from enrollment_tracks.certificates.rendering import certificate_view
from tests.certificates.conftest import configure, enroll, grade
from tests.factories import make_course, make_course_team, make_track

ROLES = [
    "anonymous",
    "learner",
    "other_learner",
    "course_staff",
    "other_course_staff",
    "global_staff",
]


@pytest.fixture
def world(course, course_staff, other_course_staff, global_staff):
    configure(course)
    learner = enroll(course, "honor", username="owner")
    grade(course, (learner, "80"))
    return {
        "anonymous": None,
        "learner": learner,
        "other_learner": enroll(course, "audit", username="someone-else"),
        "course_staff": course_staff,
        "other_course_staff": other_course_staff,
        "global_staff": global_staff,
        "certificate": Certificate.objects.get(user=learner),
    }


def page(course, name, *args):
    return reverse(f"certificates:{name}", args=[course.key, *args])


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("grades.csv", text.encode(), content_type="text/csv")


PAGES = {
    "tab": ("get", lambda c, w: page(c, "tab"), None, 200),
    "configuration": (
        "post",
        lambda c, w: page(c, "configuration"),
        {"title": "T", "organisation_name": "O", "is_active": "on"},
        302,
    ),
    "passing-grade": ("post", lambda c, w: page(c, "passing-grade"), {"passing_grade": "55"}, 302),
    "grades": ("post", lambda c, w: page(c, "grades"), "csv", 200),
    "exception-add": (
        "post",
        lambda c, w: page(c, "exception-add"),
        {"user": "someone-else", "kind": "block", "reason": "r"},
        302,
    ),
    "generate": ("post", lambda c, w: page(c, "generate"), {}, 302),
    "revoke": (
        "post",
        lambda c, w: page(c, "revoke", w["certificate"].verify_uuid),
        {"reason": "Misconduct"},
        302,
    ),
    "report": ("get", lambda c, w: page(c, "report"), None, 200),
}


@pytest.mark.parametrize("name", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_course_team_pages_permission_table(client, course, world, name, role):
    method, url, data, success = PAGES[name]
    if world[role] is not None:
        client.force_login(world[role])
    if data == "csv":
        data = {"file": csv_file("identifier,grade\nsomeone-else,70\n")}
    response = getattr(client, method)(url(course, world), data or {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif role in {"course_staff", "global_staff"}:
        assert response.status_code == success, response.content[:500]
        return
    else:
        assert response.status_code == 403
    assert Certificate.objects.get().state == "issued"
    assert Grade.objects.count() == 1


def test_job_progress_and_exception_removal_are_course_team_only(client, course, world):
    from enrollment_tracks.certificates.eligibility import ListEntry
    from enrollment_tracks.certificates.services import exception_set, generation_job_start

    job = generation_job_start(actor=None, course=course)
    exception_set(
        actor=world["global_staff"],
        course=course,
        identifier="someone-else",
        kind=ListEntry.BLOCK,
        reason="r",
    )
    progress = page(course, "job-progress", job.pk)
    remove = page(course, "exception-remove", "someone-else")
    for role in ("learner", "other_course_staff"):
        client.force_login(world[role])
        assert client.get(progress).status_code == 403
        assert client.post(remove).status_code == 403
    client.force_login(world["course_staff"])
    assert client.get(progress).status_code == 200
    assert client.post(remove).status_code == 302
    other = make_course()
    assert client.get(page(other, "job-progress", job.pk)).status_code == 403
    client.force_login(world["global_staff"])
    assert client.get(page(other, "job-progress", job.pk)).status_code == 404
    foreign = page(other, "revoke", world["certificate"].verify_uuid)
    assert client.post(foreign, {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_verify_page_and_pdf_are_public(client, world, role):
    certificate = world["certificate"]
    if world[role] is not None:
        client.force_login(world[role])
    verify = client.get(reverse("certificates:verify", args=[certificate.verify_uuid]))
    assert verify.status_code == 200
    assert "This certificate is <strong>valid</strong>" in verify.content.decode()
    pdf = client.get(reverse("certificates:pdf", args=[certificate.verify_uuid]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_unknown_certificate_id_is_404(client):
    assert client.get(reverse("certificates:verify", args=["0" * 32])).status_code == 404
    assert client.get(reverse("certificates:pdf", args=["0" * 32])).status_code == 404


def test_a_revoked_certificate_says_so(client, world):
    from enrollment_tracks.certificates.services import certificate_revoke

    certificate_revoke(actor=world["global_staff"], certificate=world["certificate"], reason="x")
    body = client.get(reverse("certificates:verify", args=[world["certificate"].verify_uuid]))
    assert "was <strong>revoked</strong>" in body.content.decode()


def test_html_in_names_and_titles_is_escaped_on_the_page_and_literal_in_the_pdf(client, course):
    attack = "<script>alert(1)</script>"
    configure(course, title=f"Award {attack}", organisation_name="<b>Org</b>")
    learner = enroll(course, "honor", name=attack)
    grade(course, (learner, "80"))
    certificate = Certificate.objects.get(user=learner)
    html = client.get(reverse("certificates:verify", args=[certificate.verify_uuid])).content
    assert attack.encode() not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert b"<b>Org</b>" not in html
    pdf = certificate_pdf(certificate_view(certificate), "http://x/", compress=False)
    assert b"<script>alert\\(1\\)</script>" in pdf
    assert b"Award <script>" in pdf


def test_configuration_form_takes_images_and_refuses_non_images(client, course, world):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, "PNG")
    client.force_login(world["course_staff"])
    bad = client.post(
        page(course, "configuration"),
        {
            "title": "T",
            "organisation_name": "O",
            "organisation_logo": SimpleUploadedFile("logo.png", b"not an image"),
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        page(course, "configuration"),
        {
            "title": "T",
            "organisation_name": "O",
            "is_active": "on",
            "organisation_logo": SimpleUploadedFile("logo.png", buffer.getvalue()),
            "signatory_1_name": "Ada",
            "signatory_1_title": "Lead",
            "signatory_1_signature": SimpleUploadedFile("sig.png", buffer.getvalue()),
        },
    )
    assert ok.status_code == 302
    view = certificate_view(world["certificate"])
    assert view.logo_path
    assert view.signatories[0].signature_path
    assert certificate_pdf(view, "http://x/").startswith(b"%PDF")


def test_tab_explains_why_certificates_are_unavailable(client, audit_only_course):
    staff = make_course_team(audit_only_course)
    client.force_login(staff)
    body = client.get(page(audit_only_course, "tab")).content.decode()
    assert "offers no track that grants a certificate" in body
    assert reverse("web:instructor-tracks", args=[audit_only_course.key]) in body
    refused = client.post(
        page(audit_only_course, "configuration"), {"title": "T", "organisation_name": "O"}
    )
    assert refused.status_code == 400
    assert "offers no track that grants a certificate" in refused.content.decode()


def test_grades_csv_shows_one_result_per_row(client, course, world):
    client.force_login(world["course_staff"])
    text = "identifier,grade\nsomeone-else,75\nowner,101\nowner,-2\nowner,abc\nghost,50\n"
    response = client.post(page(course, "grades"), {"file": csv_file(text)})
    assert response.status_code == 200
    body = response.content.decode()
    for outcome in ("created", "invalid_grade", "unknown_learner"):
        assert f'data-outcome="{outcome}"' in body
    assert "above 100" in body
    assert "below 0" in body
    assert "not a number" in body
    assert "4 with an error" in body


def test_grades_csv_without_the_right_header_is_refused(client, course, world):
    client.force_login(world["course_staff"])
    response = client.post(page(course, "grades"), {"file": csv_file("who,score\nowner,50\n")})
    assert response.status_code == 400
    assert "“grade” column" in response.content.decode()


def test_report_csv_neutralises_formulas(client, course, world):
    hostile = enroll(course, "honor", name='=HYPERLINK("http://evil")')
    grade(course, (hostile, "90"))
    client.force_login(world["course_staff"])
    response = client.get(page(course, "report"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:8] == [
        "username",
        "email",
        "name",
        "track",
        "enrollment_active",
        "grade",
        "status",
        "verification_status",
    ]
    by_user = {row[0]: row for row in rows[1:]}
    assert by_user[hostile.username][2].startswith("'=HYPERLINK")
    assert by_user["owner"][6] == "downloadable"
    assert by_user["someone-else"][6] == "audit_notpassing"


def test_dashboard_links_the_certificate_and_shows_audit_learners_how_to_earn_one(client, world):
    client.force_login(world["learner"])
    body = client.get(reverse("web:dashboard")).content.decode()
    assert reverse("certificates:pdf", args=[world["certificate"].verify_uuid]) in body
    client.force_login(world["other_learner"])
    body = client.get(reverse("web:dashboard")).content.decode()
    assert "Upgrade to the <strong>Verified</strong> track" in body


def test_no_upgrade_prompt_where_verified_is_not_offered(client):
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    learner = enroll(course, "audit")
    client.force_login(learner)
    assert "upgrade-prompt" not in client.get(reverse("web:dashboard")).content.decode()
