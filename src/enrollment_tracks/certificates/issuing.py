"""Issuing certificates set-based: read every learner's facts in one statement, decide each with
`eligibility.certificate_status`, write the new certificates and their history in bulk.

Used by the automatic paths (a passing grade, a change to a granting track) and by the
generation job's chunks. Idempotent: a learner who already has a certificate (issued or
revoked) is never issued another, and the unique constraint on the enrollment backs it up.
Callers hold the transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection

from enrollment_tracks.accounts.models import User
from enrollment_tracks.certificates import verification_status
from enrollment_tracks.certificates.eligibility import (
    Existing,
    LearnerFacts,
    ListEntry,
    Verdict,
    certificate_status,
    is_passing,
)
from enrollment_tracks.certificates.models import (
    Certificate,
    CertificateException,
    CertificateHistory,
    CertificateState,
    Grade,
    new_verify_uuid,
)
from enrollment_tracks.core import bulk, clock
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.tracks import catalog


class LearnerRow(NamedTuple):
    """One enrolled learner with the facts the rule read and its verdict (a tuple: cheap to
    make by the hundred thousand)."""

    enrollment_id: int
    course_id: int
    user_id: int
    username: str
    email: str
    name: str
    track: str
    is_active: bool
    grade: Decimal | None
    verdict: Verdict


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _facts_sql(where: str) -> str:
    enrollment = _q(Enrollment._meta.db_table)
    user = _q(User._meta.db_table)
    grade = _q(Grade._meta.db_table)
    listed = _q(CertificateException._meta.db_table)
    certificate = _q(Certificate._meta.db_table)
    return (
        "SELECT e.id, e.course_id, e.user_id, u.username, u.email, u.name, e.track, "  # noqa: S608
        "e.is_active, g.percent, x.kind, c.state "
        f"FROM {enrollment} e JOIN {user} u ON u.id = e.user_id "
        f"LEFT JOIN {grade} g ON g.enrollment_id = e.id "
        f"LEFT JOIN {listed} x ON x.course_id = e.course_id AND x.user_id = e.user_id "
        f"LEFT JOIN {certificate} c ON c.enrollment_id = e.id "
        f"WHERE {where} ORDER BY e.id"
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def learner_rows(
    raw: Sequence[tuple[Any, ...]],
    *,
    passing_grade: Decimal,
    certificates_active: bool,
    generation_running: bool = False,
    verified: set[int] | None = None,
    at: dt.datetime | None = None,
) -> list[LearnerRow]:
    """Decide every fetched learner.

    Verification is looked up once, for the learners whose track needs it (unless ``verified``
    is given). The rule is pure and reads only the track, whether the grade passes, the
    verification, the list entry and the existing certificate, so it runs once per distinct
    combination of those, not once per learner.
    """
    if verified is None:
        verified = verification_status.users_verified(
            {row[2] for row in raw if catalog.certificate_needs_verification(row[6])}, at=at
        )
    memo: dict[tuple[Any, ...], Verdict] = {}
    rows = []
    for row in raw:
        enrollment_id, course_id, user_id, username, email, name, track, active, grade = row[:9]
        kind, state = row[9:]
        percent = _decimal(grade)
        key = (track, is_passing(percent, passing_grade), user_id in verified, kind, state)
        verdict = memo.get(key)
        if verdict is None:
            verdict = memo[key] = certificate_status(
                LearnerFacts(
                    track=track,
                    grade=percent,
                    passing_grade=passing_grade,
                    verified=key[2],
                    listed=ListEntry(kind) if kind else None,
                    existing=Existing(state) if state else None,
                    certificates_active=certificates_active,
                    generation_running=generation_running,
                )
            )
        rows.append(
            LearnerRow(
                enrollment_id,
                course_id,
                user_id,
                username,
                email,
                name or username,
                track,
                bool(active),
                percent,
                verdict,
            )
        )
    return rows


def verified_in_range(course: CourseRun, first_id: int, last_id: int) -> set[int]:
    """The verified learners among the course's enrollments ``first_id..last_id`` whose track
    needs verification: one statement (the enrollment ids are a subquery)."""
    needs = [slug for slug in catalog.CATALOG if catalog.certificate_needs_verification(slug)]
    scope = Enrollment.objects.filter(
        course=course, pk__gte=first_id, pk__lte=last_id, track__in=needs
    ).values_list("user_id", flat=True)
    return verification_status.users_verified(scope)


def fetch_for_users(course: CourseRun, user_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    table = bulk.stage_ids(user_ids, table="certificates_stage_users")
    return bulk.fetch_all(
        _facts_sql(f"e.course_id = %s AND e.user_id IN (SELECT id FROM {table})"),  # noqa: S608
        [course.pk],
    )


def fetch_after(course: CourseRun, after_enrollment_id: int, limit: int) -> list[tuple[Any, ...]]:
    """The next ``limit`` enrollments of the course after ``after_enrollment_id`` (job chunks)."""
    # SQLite would read the chunk through the (course, is_active, track) index and sort the
    # whole course for every chunk; "+" keeps it on the primary key, in order, from the
    # checkpoint on. PostgreSQL's planner makes that choice by itself.
    course_term = "e.course_id = %s" if bulk.is_postgres() else "+e.course_id = %s"
    sql = _facts_sql(f"{course_term} AND e.id > %s") + f" LIMIT {int(limit)}"
    return bulk.fetch_all(sql, [course.pk, after_enrollment_id])


def fetch_all_of_course(course: CourseRun) -> list[tuple[Any, ...]]:
    return bulk.fetch_all(_facts_sql("e.course_id = %s"), [course.pk])


def fetch_for_learner(user_id: int) -> list[tuple[Any, ...]]:
    """Every enrollment of one learner, whatever the course (the learner's dashboard)."""
    return bulk.fetch_all(_facts_sql("e.user_id = %s"), [user_id])


def issue_rows(
    course: CourseRun,
    rows: Sequence[LearnerRow],
    *,
    actor: User | None,
    job_id: uuid.UUID | None = None,
    reason: str = "",
) -> int:
    """Issue a certificate to every row whose verdict says so; returns how many were issued."""
    chosen = [row for row in rows if row.verdict.issue]
    if not chosen:
        return 0
    now = clock.now()
    certificate_table = Certificate._meta.db_table
    bulk.insert_rows(
        certificate_table,
        [
            "verify_uuid",
            "enrollment_id",
            "user_id",
            "course_id",
            "track",
            "grade",
            "name",
            "state",
            "issued_at",
            "revoke_reason",
        ],
        [
            [
                new_verify_uuid(),
                row.enrollment_id,
                row.user_id,
                course.pk,
                row.track,
                row.grade,
                row.name,
                CertificateState.ISSUED.value,
                now,
                "",
            ]
            for row in chosen
        ],
        ignore_conflicts=True,
    )
    staged = bulk.stage_ids(
        [row.enrollment_id for row in chosen], table="certificates_stage_enrollments"
    )
    history = _q(CertificateHistory._meta.db_table)
    certificate = _q(certificate_table)
    # One history row per certificate written just now (a conflict wrote none, and gets none).
    return bulk.execute(
        f"INSERT INTO {history} (certificate_id, from_state, to_state, actor_id, reason, "  # noqa: S608
        "job_id, created_at) "
        f"SELECT c.id, '', %s, %s, %s, %s, %s FROM {certificate} c "
        f"WHERE c.enrollment_id IN (SELECT id FROM {staged}) AND c.issued_at = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.certificate_id = c.id)",
        [
            CertificateState.ISSUED.value,
            actor.pk if actor else None,
            reason,
            job_id,
            now,
            now,
        ],
    )
