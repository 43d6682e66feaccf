"""The dry run's buckets and details, item by item, for each action (the planner's SQL)."""

from __future__ import annotations

import pytest

from enrollment_tracks.enrollments.models import Invitation
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from enrollment_tracks.membership.models import JobItem
from enrollment_tracks.membership.parsing import Entry
from enrollment_tracks.membership.services import JobRequest, job_plan
from tests.factories import UserFactory, make_course, make_course_team, make_track

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    course = make_course()
    make_track(course, "audit")
    make_track(course, "honor")
    return course


@pytest.fixture
def staff(course):
    return make_course_team(course)


def _plan(staff, course, entries, **options):
    job = job_plan(
        actor=staff,
        course=course,
        request=JobRequest(entries=[Entry(*entry) for entry in entries], **options),
    )
    items = JobItem.objects.filter(job=job).order_by("position")
    return job, [
        (i.kind, i.user_id, i.email, i.requested_track, i.plan, i.plan_detail) for i in items
    ]


def test_enroll_buckets(staff, course):
    enrolled = UserFactory(username="ada")
    enrollment_create(actor=staff, learner=enrolled, course=course, track="honor")
    fresh = UserFactory(username="bea", email="bea@example.org")
    inactive = UserFactory(username="cyd", email="cyd@example.org", is_active=False)
    job, items = _plan(
        staff,
        course,
        [
            ("ADA",),  # mixed case: the same account
            ("bea",),
            ("BEA@example.org",),  # the same learner again, by email
            ("cyd",),  # an inactive account: its email is invited
            ("new@example.org",),
            ("ghost",),
            ("=SUM(A1)",),
            ("not an id!",),
            ("ada",),  # the same identifier twice
            ("dee@example.org", "verified"),  # a track the course does not offer
            ("eve@example.org", "honor"),
        ],
        action="enroll",
        reason="Imported from the registrar",
    )
    assert items == [
        ("user", enrolled.pk, enrolled.email, "", "already_enrolled", "honor"),
        ("user", fresh.pk, "bea@example.org", "", "will_enroll", "audit"),
        ("duplicate", None, "", "", "duplicate", ""),
        ("email", inactive.pk, "cyd@example.org", "", "will_invite", "allowed to enroll"),
        ("email", None, "new@example.org", "", "will_invite", "allowed to enroll"),
        ("unknown", None, "", "", "unknown_user", ""),
        ("invalid", None, "", "", "invalid_identifier", "looks like a spreadsheet formula"),
        ("invalid", None, "", "", "invalid_identifier", ""),
        ("duplicate", None, "", "", "duplicate", ""),
        ("email", None, "dee@example.org", "verified", "track_not_offered", "verified"),
        ("email", None, "eve@example.org", "honor", "will_invite", "allowed to enroll"),
    ]
    assert job.plan_counts == {
        "already_enrolled": 1,
        "will_enroll": 1,
        "duplicate": 2,
        "will_invite": 3,
        "unknown_user": 1,
        "invalid_identifier": 2,
        "track_not_offered": 1,
    }


def test_enroll_with_only_invalid_identifiers(staff, course):
    job, items = _plan(staff, course, [("not valid!",), ("+cmd",)], action="enroll")
    assert [item[4] for item in items] == ["invalid_identifier", "invalid_identifier"]
    assert job.plan_counts == {"invalid_identifier": 2}


def test_unenroll_buckets(staff, course):
    active = UserFactory(username="ada")
    enrollment_create(actor=staff, learner=active, course=course, track="honor")
    left = UserFactory(username="bea")
    enrollment_create(actor=staff, learner=left, course=course)
    enrollment_unenroll(actor=staff, learner=left, course=course)
    inactive = UserFactory(username="cyd", is_active=False)
    enrollment_create(actor=staff, learner=inactive, course=course)
    Invitation.objects.create(email="Invited@example.org", course=course)
    job, items = _plan(
        staff,
        course,
        [("ada",), ("bea",), ("cyd",), ("invited@EXAMPLE.org",), ("nobody@example.org",)],
        action="unenroll",
    )
    assert [(kind, plan, detail) for kind, _, _, _, plan, detail in items] == [
        ("user", "will_unenroll", "honor"),
        ("user", "not_enrolled", ""),
        ("user", "will_unenroll", "audit"),  # unenroll acts on inactive accounts too
        ("email", "will_unenroll", "invitation withdrawn"),
        ("email", "not_enrolled", ""),
    ]
    assert job.plan_counts == {"will_unenroll": 3, "not_enrolled": 2}


def test_change_track_buckets(staff, course):
    on_audit = UserFactory(username="ada")
    enrollment_create(actor=staff, learner=on_audit, course=course)
    on_honor = UserFactory(username="bea")
    enrollment_create(actor=staff, learner=on_honor, course=course, track="honor")
    not_enrolled = UserFactory(username="cyd")
    job, items = _plan(
        staff,
        course,
        [("ada",), ("bea",), ("cyd",), ("someone@example.org",), (not_enrolled.email,)],
        action="change_track",
        to_track="honor",
    )
    assert [(kind, plan, detail) for kind, _, _, _, plan, detail in items] == [
        ("user", "will_change", "audit→honor"),
        ("user", "already_on", "honor"),
        ("user", "not_enrolled", ""),
        ("email", "unknown_user", ""),
        ("duplicate", "duplicate", ""),
    ]
    assert job.plan_counts == {
        "will_change": 1,
        "will_change:audit→honor": 1,
        "already_on": 1,
        "not_enrolled": 1,
        "unknown_user": 1,
        "duplicate": 1,
    }


def test_change_track_only_from_a_track(staff, course):
    on_audit = UserFactory(username="ada")
    enrollment_create(actor=staff, learner=on_audit, course=course)
    _, items = _plan(
        staff,
        course,
        [("ada",)],
        action="change_track",
        to_track="audit",
        from_track="honor",
    )
    assert [(plan, detail) for *_, plan, detail in items] == [("already_on", "audit")]
    on_honor = UserFactory(username="bea")
    enrollment_create(actor=staff, learner=on_honor, course=course, track="honor")
    _, items = _plan(
        staff,
        course,
        [("ada",), ("bea",)],
        action="change_track",
        to_track="honor",
        from_track="audit",
    )
    assert [(plan, detail) for *_, plan, detail in items] == [
        ("will_change", "audit→honor"),
        ("already_on", "honor"),
    ]
