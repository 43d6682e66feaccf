"""Writes of the certificates app. Each service owns its transaction and writes its history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.functions import Lower

from enrollment_tracks.accounts.models import User
from enrollment_tracks.certificates import issuing, selectors
from enrollment_tracks.certificates.eligibility import ListEntry, is_passing
from enrollment_tracks.certificates.grades_csv import parse_percent
from enrollment_tracks.certificates.models import (
    MAX_SIGNATORIES,
    TRANSITIONS,
    UNFINISHED,
    Certificate,
    CertificateConfiguration,
    CertificateException,
    CertificateHistory,
    CertificateState,
    GenerationJob,
    Grade,
    GradeHistory,
    GradeSource,
    JobStatus,
    PassingGrade,
    Signatory,
)
from enrollment_tracks.certificates.types import (
    ConfigurationInput,
    GradeEntry,
    GradeOutcome,
    GradeResult,
)
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, NotFound, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.models import Enrollment

# ------------------------------------------------------------------ configuration


def _require_certificates_available(course: CourseRun) -> None:
    reason = selectors.certificates_unavailable_reason(course)
    if reason:
        raise ValidationFailed(reason, code="certificates_unavailable")


def _required(value: str, field: str, label: str) -> str:
    value = value.strip()
    if not value:
        raise ValidationFailed(f"{label} is required.", code="required", field=field)
    return value


def configuration_save(
    *,
    actor: User | None,
    course: CourseRun,
    data: ConfigurationInput,
    logo: UploadedFile | None = None,
    signatures: Mapping[int, UploadedFile] | None = None,
) -> CertificateConfiguration:
    """Create or replace the course's certificate configuration and its signatories.

    Refused (``certificates_unavailable``) while the course offers no granting track.
    ``signatures`` maps a signatory's position (1-4) to a new signature image; a signatory
    kept at the same position keeps its image otherwise.
    """
    _require_certificates_available(course)
    title = _required(data.title, "title", "The title")
    organisation = _required(data.organisation_name, "organisation_name", "The organisation name")
    if len(data.signatories) > MAX_SIGNATORIES:
        raise ValidationFailed(
            f"A certificate has at most {MAX_SIGNATORIES} signatories.",
            code="too_many_signatories",
            field="signatories",
        )
    for index, signatory in enumerate(data.signatories):
        _required(signatory.name, "signatories", f"Signatory {index + 1}'s name")
        _required(signatory.title, "signatories", f"Signatory {index + 1}'s title")
    signatures = signatures or {}
    with transaction.atomic():
        CourseRun.objects.select_for_update().get(pk=course.pk)
        configuration, _ = CertificateConfiguration.objects.update_or_create(
            course=course,
            defaults={
                "title": title,
                "description": data.description.strip(),
                "organisation_name": organisation,
                "is_active": data.is_active,
                "updated_at": clock.now(),
                "updated_by": actor,
            },
        )
        if logo is not None:
            configuration.organisation_logo.save(logo.name or "logo", logo, save=True)
        kept = {row.position: row for row in Signatory.objects.filter(configuration=configuration)}
        Signatory.objects.filter(configuration=configuration).delete()
        for position, signatory in enumerate(data.signatories, start=1):
            row = Signatory(
                configuration=configuration,
                position=position,
                name=signatory.name.strip(),
                title=signatory.title.strip(),
            )
            previous = kept.get(position)
            if previous is not None and previous.signature:
                row.signature = previous.signature
            upload = signatures.get(position)
            if upload is not None:
                row.signature.save(upload.name or "signature", upload, save=False)
            row.save()
    return configuration


def passing_grade_set(*, actor: User | None, course: CourseRun, percent: str) -> PassingGrade:
    value = parse_percent(percent)
    if isinstance(value, str):
        raise ValidationFailed(value, code="invalid_grade", field="passing_grade")
    with transaction.atomic():
        row, _ = PassingGrade.objects.update_or_create(
            course=course,
            defaults={"percent": value, "updated_at": clock.now(), "updated_by": actor},
        )
    return row


# ------------------------------------------------------------------ grades


def _users_by_identifier(identifiers: Sequence[str]) -> dict[str, User]:
    """Lower-cased identifier → user, for usernames and emails, in two queries."""
    lowered = {identifier.lower() for identifier in identifiers if identifier}
    emails = {value for value in lowered if "@" in value}
    names = lowered - emails
    found: dict[str, User] = {}
    if names:
        for user in User.objects.annotate(key=Lower("username")).filter(key__in=names):
            found[user.username.lower()] = user
    if emails:
        for user in User.objects.annotate(key=Lower("email")).filter(key__in=emails):
            found[user.email.lower()] = user
    return found


def grades_record(
    *,
    actor: User | None,
    course: CourseRun,
    entries: Sequence[GradeEntry],
    source: GradeSource,
) -> list[GradeResult]:
    """Record many grades at once; one result per entry, in order. Set-based, one transaction.

    Rows that fail (bad grade, unknown learner, not enrolled, duplicate) change nothing and
    say why; the others are written with one history row each. Learners whose grade now passes
    are issued their certificate when they are eligible.
    """
    users = _users_by_identifier([entry.identifier for entry in entries])
    enrollments = {
        row.user_id: row
        for row in Enrollment.objects.filter(
            course=course, is_active=True, user_id__in=[user.pk for user in users.values()]
        )
    }
    results: list[GradeResult | None] = [None] * len(entries)
    planned: dict[int, tuple[int, Decimal]] = {}  # enrollment id → (entry index, percent)
    for index, entry in enumerate(entries):
        if not entry.identifier:
            results[index] = _result(entry, GradeOutcome.MISSING_IDENTIFIER, "No identifier.")
            continue
        user = users.get(entry.identifier.lower())
        if user is None:
            message = f"No learner with the username or email “{entry.identifier}”."
            results[index] = _result(entry, GradeOutcome.UNKNOWN_LEARNER, message)
            continue
        enrollment = enrollments.get(user.pk)
        if enrollment is None:
            message = f"{user.username} is not enrolled in this course."
            results[index] = _result(entry, GradeOutcome.NOT_ENROLLED, message, user)
            continue
        percent = parse_percent(entry.grade)
        if isinstance(percent, str):
            results[index] = _result(entry, GradeOutcome.INVALID_GRADE, percent, user)
            continue
        if enrollment.pk in planned:
            message = f"{user.username} appears more than once; only the first valid row counts."
            results[index] = _result(entry, GradeOutcome.DUPLICATE, message, user)
            continue
        planned[enrollment.pk] = (index, percent)
    issued: set[int] = set()
    with transaction.atomic():
        existing = {
            grade.enrollment_id: grade
            for grade in Grade.objects.select_for_update().filter(enrollment_id__in=planned)
        }
        now = clock.now()
        created, updated, history = [], [], []
        for enrollment_id, (index, percent) in planned.items():
            entry = entries[index]
            user = users[entry.identifier.lower()]
            grade = existing.get(enrollment_id)
            before = grade.percent if grade is not None else None
            if before == percent:
                results[index] = _result(
                    entry, GradeOutcome.UNCHANGED, "Same grade as before.", user, percent
                )
                continue
            if grade is None:
                created.append(Grade(enrollment_id=enrollment_id, percent=percent, updated_at=now))
                outcome, message = GradeOutcome.CREATED, f"Grade set to {percent} %."
            else:
                grade.percent, grade.updated_at = percent, now
                updated.append(grade)
                outcome, message = (
                    GradeOutcome.UPDATED,
                    f"Grade changed from {before} % to {percent} %.",
                )
            history.append(
                GradeHistory(
                    enrollment_id=enrollment_id,
                    before=before,
                    after=percent,
                    actor=actor,
                    source=source,
                    created_at=now,
                )
            )
            results[index] = _result(entry, outcome, message, user, percent)
        Grade.objects.bulk_create(created)
        Grade.objects.bulk_update(updated, ["percent", "updated_at"])
        GradeHistory.objects.bulk_create(history)
        cutoff = selectors.passing_grade_of(course)
        passing_users = [
            users[entries[index].identifier.lower()].pk
            for index, percent in planned.values()
            if is_passing(percent, cutoff)
        ]
        if passing_users:
            issued = certificates_issue(
                course=course, user_ids=passing_users, actor=actor, reason="grade passed"
            )
    issued_names = {user.username for user in users.values() if user.pk in issued}
    final: list[GradeResult] = []
    for index, result in enumerate(results):
        if result is None:  # every entry got a result above
            raise AssertionError(f"no result for line {entries[index].line}")
        if result.username in issued_names and not result.is_error:
            result = replace(result, certificate_issued=True)
        final.append(result)
    return final


def _result(
    entry: GradeEntry,
    outcome: GradeOutcome,
    message: str,
    user: User | None = None,
    percent: Decimal | None = None,
) -> GradeResult:
    return GradeResult(
        line=entry.line,
        identifier=entry.identifier,
        grade=entry.grade,
        outcome=outcome,
        message=message,
        username=user.username if user else "",
        percent=percent,
    )


# ------------------------------------------------------------------ issuing


def certificates_issue(
    *,
    course: CourseRun,
    user_ids: Sequence[int],
    actor: User | None = None,
    reason: str = "",
) -> set[int]:
    """Issue the certificates these learners are now eligible for; returns whom it issued to.

    The automatic path (a passing grade, a change to a granting track, an allow-list entry).
    Set-based whatever the number of learners; nothing happens while the course's certificates
    are not configured and active.
    """
    if not user_ids or not selectors.certificates_active(course):
        return set()
    with transaction.atomic():
        rows = issuing.learner_rows(
            issuing.fetch_for_users(course, user_ids),
            passing_grade=selectors.passing_grade_of(course),
            certificates_active=True,
        )
        issuing.issue_rows(course, rows, actor=actor, reason=reason)
    return {row.user_id for row in rows if row.verdict.issue}


def certificate_revoke(*, actor: User, certificate: Certificate, reason: str) -> Certificate:
    """Revoke (Open edX: invalidate) an issued certificate, with a reason. Never twice."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Give a reason for revoking.", code="required", field="reason")
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        _transition(locked, CertificateState.REVOKED, actor=actor, reason=reason)
        locked.revoked_at = clock.now()
        locked.revoked_by = actor
        locked.revoke_reason = reason
        locked.save(update_fields=["state", "revoked_at", "revoked_by", "revoke_reason"])
    return locked


def _transition(
    certificate: Certificate, to: CertificateState, *, actor: User | None, reason: str
) -> None:
    """The one guard of the certificate state machine; writes the history row."""
    if to not in TRANSITIONS[certificate.state]:
        if certificate.state == to:
            raise Conflict(
                f"This certificate is already {to.label.lower()}.",
                code=f"already_{to.value}",
            )
        raise Conflict(
            f"A {certificate.state} certificate cannot become {to.value}.",
            code="invalid_transition",
        )
    CertificateHistory.objects.create(
        certificate=certificate,
        from_state=certificate.state,
        to_state=to,
        actor=actor,
        reason=reason,
        created_at=clock.now(),
    )
    certificate.state = to


# ------------------------------------------------------------------ allow and block lists


def _learner(identifier: str) -> User:
    user = _users_by_identifier([identifier.strip()]).get(identifier.strip().lower())
    if user is None:
        raise ValidationFailed(
            f"No learner with the username or email “{identifier}”.",
            code="unknown_learner",
            field="user",
        )
    return user


def exception_set(
    *, actor: User, course: CourseRun, identifier: str, kind: ListEntry, reason: str
) -> CertificateException:
    """Put a learner on the course's allow list or block list (replacing any entry)."""
    user = _learner(identifier)
    reason = _required(reason, "reason", "A reason")
    if not Enrollment.objects.filter(course=course, user=user).exists():
        raise ValidationFailed(
            f"{user.username} is not enrolled in this course.", code="not_enrolled", field="user"
        )
    with transaction.atomic():
        entry, _ = CertificateException.objects.update_or_create(
            course=course,
            user=user,
            defaults={
                "kind": kind.value,
                "reason": reason,
                "created_at": clock.now(),
                "created_by": actor,
            },
        )
        if kind is ListEntry.ALLOW:
            certificates_issue(course=course, user_ids=[user.pk], actor=actor, reason="allow list")
    return entry


def exception_remove(*, course: CourseRun, identifier: str) -> None:
    """Take a learner off the lists; NotFound for an unknown learner or one on neither list."""
    try:
        user = _learner(identifier)
    except ValidationFailed as error:
        raise NotFound(error.message, code="unknown_learner", field="username") from None
    deleted, _ = CertificateException.objects.filter(course=course, user=user).delete()
    if not deleted:
        raise NotFound(
            f"{user.username} is on neither list of this course.",
            code="not_listed",
            field="user",
        )


# ------------------------------------------------------------------ generation jobs


def generation_job_start(*, actor: User | None, course: CourseRun) -> GenerationJob:
    """Queue “generate certificates” for the whole course; the unfinished job if there is one.

    Refused (``certificates_not_configured``) while the course's certificates are not
    configured and active.
    """
    _require_certificates_available(course)
    if not selectors.certificates_active(course):
        raise ValidationFailed(
            "Configure the course's certificates and switch them on before generating them.",
            code="certificates_not_configured",
        )
    from enrollment_tracks.certificates.tasks import certificates_generate

    with transaction.atomic():
        CourseRun.objects.select_for_update().get(pk=course.pk)
        job = GenerationJob.objects.filter(course=course, status__in=UNFINISHED).first()
        if job is not None:
            return job
        job = GenerationJob.objects.create(
            course=course,
            status=JobStatus.QUEUED,
            total=Enrollment.objects.filter(course=course).count(),
            created_by=actor,
            created_at=clock.now(),
        )
        job_id = str(job.pk)
        transaction.on_commit(lambda: certificates_generate.enqueue(job_id))
    return job
