"""Enrollment events reach receivers only after commit; the audit trail is append-only."""

from __future__ import annotations

import pytest

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.enrollments import events
from enrollment_tracks.enrollments.models import EnrollmentAudit
from enrollment_tracks.enrollments.services import (
    enrollment_change_track,
    enrollment_create,
    enrollment_unenroll,
)
from tests.factories import make_course, make_track

pytestmark = pytest.mark.django_db

SIGNALS = {
    "created": events.enrollment_created,
    "changed": events.enrollment_changed,
    "unenrolled": events.unenrollment_completed,
}


@pytest.fixture
def received():
    """Every event sent while the test runs, as ``(name, CourseEnrollmentData)`` in order."""
    log: list[tuple[str, events.CourseEnrollmentData]] = []
    receivers = {}
    for name, signal in SIGNALS.items():

        def receiver(sender, enrollment, _name=name, **kwargs):
            assert sender is events.CourseEnrollmentData
            log.append((_name, enrollment))

        receivers[name] = receiver
        signal.connect(receiver, weak=False)
    yield log
    for name, signal in SIGNALS.items():
        signal.disconnect(receivers[name])


def test_a_new_enrollment_sends_changed_then_created_after_commit(
    course, learner, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enrollment = enrollment_create(actor=learner, learner=learner, course=course).enrollment
        assert received == []  # nothing before the transaction has committed

    assert len(callbacks) == 2
    assert [name for name, _ in received] == ["changed", "created"]
    data = received[0][1]
    assert received[1][1] == data
    assert isinstance(data, events.CourseEnrollmentData)
    assert (data.user.id, data.user.pii.username) == (learner.pk, learner.username)
    assert (data.user.pii.email, data.user.pii.name) == (learner.email, learner.display_name)
    assert (data.course.course_key, data.course.display_name) == (course.key, course.title)
    assert (data.mode, data.is_active) == ("audit", True)
    assert data.creation_date == enrollment.created
    assert data.created_by is not None
    assert data.created_by.pii.username == learner.username


def test_staff_enrollment_names_the_staff_member_as_creator(
    course, staff, learner, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(actor=staff, learner=learner, course=course)

    assert [name for name, _ in received] == ["changed", "created"]
    for _, data in received:
        assert data.user.pii.username == learner.username
        assert data.created_by is not None
        assert data.created_by.pii.username == staff.username


def test_unenroll_sends_changed_and_unenrollment_completed(
    course, learner, received, django_capture_on_commit_callbacks
):
    enrollment_create(actor=learner, learner=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_unenroll(actor=learner, learner=learner, course=course)
        assert received == []

    assert [name for name, _ in received] == ["changed", "unenrolled"]
    for _, data in received:
        assert (data.user.pii.username, data.course.course_key) == (learner.username, course.key)
        assert (data.mode, data.is_active) == ("audit", False)


def test_reenrollment_sends_changed_then_created(
    course, learner, received, django_capture_on_commit_callbacks
):
    enrollment_create(actor=learner, learner=learner, course=course)
    enrollment_unenroll(actor=learner, learner=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_create(actor=learner, learner=learner, course=course)

    assert [name for name, _ in received] == ["changed", "created"]
    assert all(data.is_active for _, data in received)


def test_a_track_change_sends_changed_only(
    course, staff, learner, received, django_capture_on_commit_callbacks
):
    make_track(course, "honor")
    enrollment_create(actor=learner, learner=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True):
        enrollment_change_track(actor=staff, learner=learner, course=course, track="honor")

    [(name, data)] = received
    assert (name, data.mode, data.is_active) == ("changed", "honor", True)


def test_a_no_op_enroll_sends_nothing(
    course, learner, received, django_capture_on_commit_callbacks
):
    enrollment_create(actor=learner, learner=learner, course=course)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = enrollment_create(actor=learner, learner=learner, course=course)

    assert result.changed is False
    assert callbacks == []
    assert received == []


def test_a_refused_enroll_sends_nothing(learner, received, django_capture_on_commit_callbacks):
    course = make_course(max_enrollments=0)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        enrollment_create(actor=learner, learner=learner, course=course)

    assert received == []


# ---------------------------------------------------------------------------- audit trail


@pytest.fixture
def audit_row(course, learner) -> EnrollmentAudit:
    enrollment_create(actor=learner, learner=learner, course=course)
    return EnrollmentAudit.objects.get(learner=learner, course=course)


def test_an_audit_row_cannot_be_saved_again(audit_row):
    audit_row.reason = "rewritten"

    with pytest.raises(TypeError, match="append-only"):
        audit_row.save()

    assert EnrollmentAudit.objects.get(pk=audit_row.pk).reason == ""


def test_an_audit_row_cannot_be_deleted(audit_row):
    with pytest.raises(TypeError, match="append-only"):
        audit_row.delete()

    assert EnrollmentAudit.objects.filter(pk=audit_row.pk).exists()


def test_audit_rows_cannot_be_updated_in_bulk(audit_row):
    with pytest.raises(TypeError, match="append-only"):
        EnrollmentAudit.objects.filter(pk=audit_row.pk).update(reason="rewritten")

    assert EnrollmentAudit.objects.get(pk=audit_row.pk).reason == ""


def test_audit_rows_cannot_be_deleted_in_bulk(audit_row):
    with pytest.raises(TypeError, match="append-only"):
        EnrollmentAudit.objects.all().delete()

    assert EnrollmentAudit.objects.filter(pk=audit_row.pk).exists()
