"""Configuration, grades in, automatic issuing, revocation, allow and block lists."""

from __future__ import annotations

from decimal import Decimal

import pytest

from enrollment_tracks.certificates import selectors, services, verification_status
from enrollment_tracks.certificates.eligibility import ListEntry, Status
from enrollment_tracks.certificates.models import (
    Certificate,
    CertificateHistory,
    Grade,
    GradeHistory,
)
from enrollment_tracks.certificates.selectors import certificate_issued_exists
from enrollment_tracks.certificates.types import ConfigurationInput, GradeOutcome, SignatoryInput
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.enrollments.services import enrollment_change_track, enrollment_unenroll
from tests.certificates.conftest import approve_verification, configure, enroll, grade
from tests.factories import UserFactory, make_course, make_track

# ------------------------------------------------------------------ configuration


def test_configuration_is_refused_while_no_track_grants_a_certificate(audit_only_course):
    with pytest.raises(ValidationFailed) as caught:
        configure(audit_only_course)
    assert caught.value.code == "certificates_unavailable"
    assert "offers no track that grants a certificate" in caught.value.message
    assert selectors.configuration_get(audit_only_course) is None


def test_configuration_becomes_possible_once_honor_is_offered(audit_only_course):
    make_track(audit_only_course, "honor")
    configuration = configure(audit_only_course)
    assert configuration.title == "Certificate of Achievement"
    assert [s.name for s in configuration.signatories.all()] == ["Ada Lovelace"]


def test_at_most_four_signatories(course):
    five = tuple(SignatoryInput(f"Person {i}", "Lead") for i in range(5))
    with pytest.raises(ValidationFailed) as caught:
        configure(course, signatories=five)
    assert (caught.value.code, caught.value.field) == ("too_many_signatories", "signatories")


@pytest.mark.parametrize(("field", "value"), [("title", "  "), ("organisation_name", "")])
def test_title_and_organisation_are_required(course, field, value):
    with pytest.raises(ValidationFailed) as caught:
        configure(course, **{field: value})
    assert caught.value.field == field


def test_saving_again_replaces_the_signatories(course):
    configure(course)
    configure(course, signatories=(SignatoryInput("B", "Dean"), SignatoryInput("C", "Chair")))
    configuration = selectors.configuration_get(course)
    assert [(s.position, s.name) for s in configuration.signatories.all()] == [(1, "B"), (2, "C")]


# ------------------------------------------------------------------ grades


def test_grade_rows_with_bad_input_each_say_why_and_change_nothing(course):
    honor = enroll(course, "honor")
    stranger = UserFactory()
    results = services.grades_record(
        actor=None,
        course=course,
        entries=[
            _entry(2, honor.username, "101"),
            _entry(3, honor.username, "-1"),
            _entry(4, honor.username, "eighty"),
            _entry(5, honor.username, "NaN"),
            _entry(6, "nobody-here", "80"),
            _entry(7, stranger.username, "80"),
            _entry(8, "", "80"),
        ],
        source="api",
    )
    assert [r.outcome for r in results] == [
        GradeOutcome.INVALID_GRADE,
        GradeOutcome.INVALID_GRADE,
        GradeOutcome.INVALID_GRADE,
        GradeOutcome.INVALID_GRADE,
        GradeOutcome.UNKNOWN_LEARNER,
        GradeOutcome.NOT_ENROLLED,
        GradeOutcome.MISSING_IDENTIFIER,
    ]
    assert "above 100" in results[0].message
    assert "below 0" in results[1].message
    assert "not a number" in results[2].message
    assert "not enrolled" in results[5].message
    assert not Grade.objects.exists()
    assert not GradeHistory.objects.exists()


def _entry(line, identifier, value):
    from enrollment_tracks.certificates.types import GradeEntry

    return GradeEntry(line=line, identifier=identifier, grade=value)


def test_grades_by_email_duplicates_and_history(course):
    learner = enroll(course, "audit")
    first = services.grades_record(
        actor=None,
        course=course,
        entries=[_entry(2, learner.email.upper(), "40%"), _entry(3, learner.username, "90")],
        source="csv",
    )
    assert [r.outcome for r in first] == [GradeOutcome.CREATED, GradeOutcome.DUPLICATE]
    again = grade(course, (learner, "40"))
    assert again[0].outcome is GradeOutcome.UNCHANGED
    changed = grade(course, (learner, "55.5"))
    assert changed[0].outcome is GradeOutcome.UPDATED
    history = list(GradeHistory.objects.order_by("id").values_list("before", "after", "source"))
    assert history == [(None, Decimal("40.00"), "csv"), (Decimal("40.00"), Decimal("55.50"), "api")]


def test_passing_grade_is_validated(course):
    with pytest.raises(ValidationFailed) as caught:
        services.passing_grade_set(actor=None, course=course, percent="150")
    assert (caught.value.code, caught.value.field) == ("invalid_grade", "passing_grade")
    services.passing_grade_set(actor=None, course=course, percent="70")
    assert selectors.passing_grade_of(course) == Decimal(70)


# ------------------------------------------------------------------ automatic issuing


def test_a_passing_grade_issues_the_certificate_of_an_honor_learner(course):
    configure(course)
    honor = enroll(course, "honor", name="Grace Hopper")
    [failing] = grade(course, (honor, "30"))
    assert not failing.certificate_issued
    assert not certificate_issued_exists(honor.pk, course.pk)
    [passing] = grade(course, (honor, "80"))
    assert passing.certificate_issued
    certificate = Certificate.objects.get(user=honor)
    assert (certificate.track, certificate.grade, certificate.name) == (
        "honor",
        Decimal(80),
        "Grace Hopper",
    )
    assert len(certificate.verify_uuid) == 32
    assert certificate_issued_exists(honor.pk, course.pk)
    assert list(CertificateHistory.objects.values_list("to_state", flat=True)) == ["issued"]


def test_nothing_is_issued_while_certificates_are_inactive(course):
    configure(course, active=False)
    honor = enroll(course, "honor")
    grade(course, (honor, "80"))
    assert not Certificate.objects.exists()
    assert selectors.learner_row(course, honor).verdict.reason == "not_configured"


def test_a_change_to_a_granting_track_issues_and_a_move_to_audit_keeps_it(
    course, django_capture_on_commit_callbacks
):
    configure(course)
    learner = enroll(course, "audit")
    grade(course, (learner, "90"))
    assert not Certificate.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_change_track(actor=None, learner=learner, course=course, track="honor")
    assert certificate_issued_exists(learner.pk, course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_change_track(actor=None, learner=learner, course=course, track="audit")
    assert certificate_issued_exists(learner.pk, course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        enrollment_unenroll(actor=None, learner=learner, course=course)
    assert certificate_issued_exists(learner.pk, course.pk)
    assert Certificate.objects.count() == 1


def test_verified_learner_needs_an_approved_verification(course):
    configure(course)
    learner = enroll(course, "verified")
    grade(course, (learner, "90"))
    assert selectors.learner_row(course, learner).verdict.status is Status.UNVERIFIED
    approve_verification(learner)
    [result] = grade(course, (learner, "91"))
    assert result.certificate_issued
    assert certificate_issued_exists(learner.pk, course.pk)


def test_without_the_verification_app_nobody_is_verified(course, without_verification_app):
    configure(course)
    learner = enroll(course, "verified")
    approve_verification(learner)
    assert verification_status.users_verified([learner.pk]) == set()
    assert not verification_status.user_is_verified(learner.pk)
    grade(course, (learner, "90"))
    assert selectors.learner_row(course, learner).verdict.status is Status.UNVERIFIED


def test_the_real_verification_selector_is_used_when_installed(course):
    learner, other = UserFactory(), UserFactory()
    approve_verification(learner)
    assert verification_status.verification_installed()
    assert verification_status.users_verified([learner.pk, other.pk]) == {learner.pk}
    assert verification_status.user_is_verified(learner.pk)


# ------------------------------------------------------------------ lists and revocation


def test_allow_list_issues_without_a_passing_grade_and_block_list_prevents(course):
    configure(course)
    staff = UserFactory(is_staff=True)
    allowed, blocked = enroll(course, "honor"), enroll(course, "honor")
    services.exception_set(
        actor=staff,
        course=course,
        identifier=allowed.username,
        kind=ListEntry.ALLOW,
        reason="Completed offline",
    )
    assert certificate_issued_exists(allowed.pk, course.pk)
    services.exception_set(
        actor=staff,
        course=course,
        identifier=blocked.email,
        kind=ListEntry.BLOCK,
        reason="Misconduct",
    )
    grade(course, (blocked, "99"))
    assert not certificate_issued_exists(blocked.pk, course.pk)
    assert selectors.learner_row(course, blocked).verdict.reason == "blocklisted"


def test_list_entries_need_a_reason_and_an_enrolled_learner(course):
    staff = UserFactory(is_staff=True)
    learner = enroll(course, "honor")
    with pytest.raises(ValidationFailed) as caught:
        services.exception_set(
            actor=staff,
            course=course,
            identifier=learner.username,
            kind=ListEntry.BLOCK,
            reason=" ",
        )
    assert caught.value.field == "reason"
    with pytest.raises(ValidationFailed) as caught:
        services.exception_set(
            actor=staff,
            course=course,
            identifier=UserFactory().username,
            kind=ListEntry.BLOCK,
            reason="x",
        )
    assert caught.value.code == "not_enrolled"


def test_revoking_twice_is_a_conflict_and_the_history_keeps_both_moves(course):
    configure(course)
    staff = UserFactory(is_staff=True)
    learner = enroll(course, "honor")
    grade(course, (learner, "80"))
    certificate = Certificate.objects.get(user=learner)
    with pytest.raises(ValidationFailed):
        services.certificate_revoke(actor=staff, certificate=certificate, reason="")
    services.certificate_revoke(actor=staff, certificate=certificate, reason="Plagiarism")
    with pytest.raises(Conflict) as caught:
        services.certificate_revoke(actor=staff, certificate=certificate, reason="Again")
    assert caught.value.code == "already_revoked"
    certificate.refresh_from_db()
    assert (certificate.state, certificate.revoke_reason) == ("revoked", "Plagiarism")
    assert not certificate_issued_exists(learner.pk, course.pk)
    assert list(
        CertificateHistory.objects.order_by("id").values_list("from_state", "to_state")
    ) == [("", "issued"), ("issued", "revoked")]
    # Revoked stays revoked: a new passing grade issues nothing.
    grade(course, (learner, "95"))
    assert Certificate.objects.filter(user=learner).count() == 1


def test_certificate_issued_exists_is_per_course(course):
    configure(course)
    learner = enroll(course, "honor")
    grade(course, (learner, "80"))
    other = make_course()
    assert certificate_issued_exists(learner.pk, course.pk)
    assert not certificate_issued_exists(learner.pk, other.pk)
    assert not certificate_issued_exists(UserFactory().pk, course.pk)


def test_generating_without_configuration_is_refused(course, audit_only_course):
    with pytest.raises(ValidationFailed) as caught:
        services.generation_job_start(actor=None, course=course)
    assert caught.value.code == "certificates_not_configured"
    with pytest.raises(ValidationFailed) as caught:
        services.generation_job_start(actor=None, course=audit_only_course)
    assert caught.value.code == "certificates_unavailable"


def test_configuration_input_keeps_description(course):
    configuration = services.configuration_save(
        actor=None,
        course=course,
        data=ConfigurationInput(title="T", organisation_name="O", description="  D  "),
    )
    assert configuration.description == "D"


def test_a_batch_change_of_track_issues_set_based(
    course, course_staff, django_capture_on_commit_callbacks
):
    from enrollment_tracks.membership.parsing import parse_text
    from enrollment_tracks.membership.planning import JobRequest
    from enrollment_tracks.membership.runner import job_run
    from enrollment_tracks.membership.services import job_confirm, job_plan

    configure(course)
    learners = [enroll(course, "audit") for _ in range(6)]
    grade(course, *[(u, "90" if i % 2 else "10") for i, u in enumerate(learners)])
    request = JobRequest(
        action="change_track",
        entries=parse_text("\n".join(u.username for u in learners)),
        to_track="honor",
        reason="Honor for everyone",
    )
    job = job_confirm(
        actor=course_staff, job=job_plan(actor=course_staff, course=course, request=request)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job_run(job.pk)
    passing = {u for i, u in enumerate(learners) if i % 2}
    assert {c.user for c in Certificate.objects.all()} == passing
