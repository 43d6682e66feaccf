"""Reads of the certificates app (other apps and every interface use these)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from django.db.models import QuerySet

from enrollment_tracks.accounts.models import User
from enrollment_tracks.certificates import issuing, verification_status
from enrollment_tracks.certificates.eligibility import Status
from enrollment_tracks.certificates.issuing import LearnerRow
from enrollment_tracks.certificates.models import (
    DEFAULT_PASSING_GRADE,
    UNFINISHED,
    Certificate,
    CertificateConfiguration,
    CertificateException,
    CertificateHistory,
    CertificateState,
    GenerationJob,
    GradeHistory,
    PassingGrade,
)
from enrollment_tracks.certificates.types import LearnerCertificate
from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_offers_certificates, course_tracks

NO_GRANTING_TRACK = (
    "Certificates are unavailable: this course offers no track that grants a certificate "
    "(audit never does). Add a track such as Honor or Verified on the Tracks tab first."
)


def certificate_issued_exists(user_id: int, course_run_id: int) -> bool:
    """An issued, unrevoked certificate exists for that learner and course run (its pk)."""
    return Certificate.objects.filter(
        user_id=user_id, course_id=course_run_id, state=CertificateState.ISSUED
    ).exists()


def certificates_unavailable_reason(course: CourseRun) -> str | None:
    """Why certificates cannot be configured for the course, or None when they can."""
    return None if course_offers_certificates(course) else NO_GRANTING_TRACK


def configuration_get(course: CourseRun) -> CertificateConfiguration | None:
    return (
        CertificateConfiguration.objects.filter(course=course)
        .prefetch_related("signatories")
        .first()
    )


def certificates_active(course: CourseRun) -> bool:
    """Configured, switched on, and the course still offers a granting track."""
    active = CertificateConfiguration.objects.filter(course=course, is_active=True).exists()
    return active and course_offers_certificates(course)


def passing_grade_of(course: CourseRun) -> Decimal:
    row = PassingGrade.objects.filter(course=course).first()
    return row.percent if row else Decimal(DEFAULT_PASSING_GRADE)


def generation_running(course: CourseRun) -> bool:
    return GenerationJob.objects.filter(course=course, status__in=UNFINISHED).exists()


def learner_rows_of_course(course: CourseRun) -> list[LearnerRow]:
    """Every enrolled learner of the course with their facts and certificate status."""
    raw = issuing.fetch_all_of_course(course)
    return issuing.learner_rows(
        raw,
        passing_grade=passing_grade_of(course),
        certificates_active=certificates_active(course),
        generation_running=generation_running(course),
        verified=issuing.verified_in_range(course, raw[0][0], raw[-1][0]) if raw else set(),
    )


def learner_row(course: CourseRun, user: User) -> LearnerRow | None:
    rows = issuing.learner_rows(
        issuing.fetch_for_users(course, [user.pk]),
        passing_grade=passing_grade_of(course),
        certificates_active=certificates_active(course),
        generation_running=generation_running(course),
    )
    return rows[0] if rows else None


def status_counts(rows: list[LearnerRow]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.verdict.status.value] += 1
    return {status.value: counts[status.value] for status in Status if counts[status.value]}


def certificate_by_verify_uuid(verify_uuid: str) -> Certificate:
    """The certificate with this public id; NotFound otherwise."""
    certificate = (
        Certificate.objects.select_related("course", "user").filter(verify_uuid=verify_uuid).first()
    )
    if certificate is None:
        raise NotFound(
            "No certificate with this id.", code="certificate_not_found", field="verify_uuid"
        )
    return certificate


def certificate_of_course(course: CourseRun, verify_uuid: str) -> Certificate:
    """The course's certificate with this id: another course's certificate is a 404 here."""
    certificate = certificate_by_verify_uuid(verify_uuid)
    if certificate.course_id != course.pk:
        raise NotFound(
            "No certificate with this id in this course.",
            code="certificate_not_found",
            field="verify_uuid",
        )
    return certificate


def certificates_of_course(course: CourseRun) -> QuerySet[Certificate]:
    return Certificate.objects.filter(course=course).select_related("user").order_by("-issued_at")


def certificates_of_user(user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(user=user).select_related("course").order_by("-issued_at")


def certificate_of_user_in_course(user: User, course: CourseRun) -> Certificate | None:
    return Certificate.objects.filter(user=user, course=course).select_related("course").first()


def certificate_history(certificate: Certificate) -> QuerySet[CertificateHistory]:
    return CertificateHistory.objects.filter(certificate=certificate).select_related("actor")


def exceptions_of_course(course: CourseRun) -> QuerySet[CertificateException]:
    return CertificateException.objects.filter(course=course).select_related("user", "created_by")


def grade_history_of_course(course: CourseRun, *, limit: int = 50) -> list[GradeHistory]:
    return list(
        GradeHistory.objects.filter(enrollment__course=course).select_related(
            "enrollment__user", "actor"
        )[:limit]
    )


def generation_jobs(course: CourseRun) -> QuerySet[GenerationJob]:
    return GenerationJob.objects.filter(course=course).select_related("created_by")


def generation_job_get(course: CourseRun, job_id: uuid.UUID) -> GenerationJob:
    job = GenerationJob.objects.filter(course=course, pk=job_id).first()
    if job is None:
        raise NotFound("No such generation job in this course.", code="job_not_found")
    return job


def verification_label(user_ids: set[int], user_id: int) -> str:
    if not verification_status.verification_installed():
        return "not available"
    return "verified" if user_id in user_ids else "not verified"


def learner_certificates(user: User) -> dict[int, LearnerCertificate]:
    """Per course id, what the learner's dashboard shows (a few queries, whatever the courses)."""
    raw = issuing.fetch_for_learner(user.pk)
    if not raw:
        return {}
    course_ids = {row[1] for row in raw}
    courses = {course.pk: course for course in CourseRun.objects.filter(pk__in=course_ids)}
    passing = dict(
        PassingGrade.objects.filter(course_id__in=course_ids).values_list("course_id", "percent")
    )
    active = set(
        CertificateConfiguration.objects.filter(
            course_id__in=course_ids, is_active=True
        ).values_list("course_id", flat=True)
    )
    running = set(
        GenerationJob.objects.filter(course_id__in=course_ids, status__in=UNFINISHED).values_list(
            "course_id", flat=True
        )
    )
    verified = verification_status.users_verified([user.pk])
    certificates = {
        certificate.course_id: certificate
        for certificate in Certificate.objects.filter(user=user, course_id__in=course_ids)
    }
    result: dict[int, LearnerCertificate] = {}
    for row in raw:
        course_id = row[1]
        course = courses[course_id]
        offered = course_tracks(course)
        offered_slugs = {track.slug for track in offered}
        granting = any(track.spec.grants_certificate for track in offered)
        [learner] = issuing.learner_rows(
            [row],
            passing_grade=passing.get(course_id, Decimal(DEFAULT_PASSING_GRADE)),
            certificates_active=course_id in active and granting,
            generation_running=course_id in running,
            verified=verified,
        )
        spec = catalog.CATALOG.get(learner.track)
        targets = spec.upgrade_targets if spec and not spec.grants_certificate else ()
        upgrade = next(
            (
                slug
                for slug in targets
                if slug in offered_slugs and catalog.grants_certificate(slug)
            ),
            None,
        )
        certificate = certificates.get(course_id)
        result[course_id] = LearnerCertificate(
            course_id=course_id,
            verdict=learner.verdict,
            verify_uuid=certificate.verify_uuid if certificate else None,
            is_valid=bool(certificate and certificate.is_valid),
            upgrade_track=upgrade,
            upgrade_track_name=catalog.CATALOG[upgrade].display_name if upgrade else "",
            upgrade_needs_verification=bool(
                upgrade and catalog.certificate_needs_verification(upgrade)
            ),
        )
    return result
