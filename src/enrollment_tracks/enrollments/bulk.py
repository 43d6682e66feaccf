"""Set-based enrollment writes for batch jobs: one chunk of learners per call, in SQL.

The caller (a membership job) holds the transaction of the chunk and stages the chunk's
learners in a temporary table. The batch rule of each action (`row_rule`) is written as SQL
over the chunk's rows, so that deciding, updating and auditing thousands of learners never
crosses into Python and back: the caller evaluates it while staging, then
`enrollments_apply_staged` moves every changed row with one UPDATE and writes their audit rows
with one INSERT. The rules are those of the single-learner services: unenroll deactivates,
enroll (re-)activates on the requested or default track and leaves active learners where they
are, a change of track moves active learners only.

On PostgreSQL the chunk's rows are locked in id order before they are read
(`locked_rows_sql`), so concurrent jobs never deadlock and never decide on a stale row.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import bulk
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.enrollments import events
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Invitation, Transition

ENROLLMENT_TABLE = Enrollment._meta.db_table
AUDIT_TABLE = EnrollmentAudit._meta.db_table
INVITATION_TABLE = Invitation._meta.db_table
PLACEHOLDER = ""  # the track of a row inserted by this chunk and not yet filled in


class BulkAction(enum.StrEnum):
    ENROLL = "enroll"
    UNENROLL = "unenroll"
    CHANGE_TRACK = "change_track"


def sql_text(value: str) -> str:
    """A code constant (a transition, an outcome, a track slug) as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class RowRule:
    """The batch rule of one action as SQL expressions over one learner's row.

    The expressions read the columns ``e_active`` and ``e_track`` (NULL when the learner has
    no enrollment row, ``e_track`` the empty placeholder for a row this chunk inserted),
    ``target`` (the track asked for), ``allowed`` (an invitation existed) and, except
    ``changed`` itself, ``changed``. ``params`` are those of ``changed``.
    """

    changed: str
    params: tuple[str, ...]
    after_active: str
    after_track: str
    transition: str  # '' when nothing changes


def row_rule(action: BulkAction, *, from_track: str | None = None) -> RowRule:
    """What happens to a learner's row: the one statement of the batch rules."""
    active = "COALESCE(e_active, FALSE)"
    track = "COALESCE(e_track, '')"
    if action is BulkAction.ENROLL:
        return RowRule(
            changed=(
                f"(e_active IS NOT NULL AND (NOT e_active OR e_track = {sql_text(PLACEHOLDER)}))"
            ),
            params=(),
            after_active=f"CASE WHEN changed THEN TRUE ELSE {active} END",
            after_track=f"CASE WHEN changed THEN target ELSE {track} END",
            transition=(
                "CASE WHEN NOT changed THEN '' "
                f"WHEN allowed THEN {sql_text(Transition.ALLOWEDTOENROLL_TO_ENROLLED)} "
                f"ELSE {sql_text(Transition.UNENROLLED_TO_ENROLLED)} END"
            ),
        )
    if action is BulkAction.UNENROLL:
        return RowRule(
            changed=f"({active} AND e_track <> {sql_text(PLACEHOLDER)})",
            params=(),
            after_active=f"CASE WHEN changed THEN FALSE ELSE {active} END",
            after_track=track,
            transition=(
                f"CASE WHEN changed THEN {sql_text(Transition.ENROLLED_TO_UNENROLLED)} ELSE '' END"
            ),
        )
    only_from = " AND e_track = %s" if from_track else ""
    return RowRule(
        changed=(
            f"({active} AND e_track <> {sql_text(PLACEHOLDER)} AND e_track <> target{only_from})"
        ),
        params=(from_track,) if from_track else (),
        after_active=active,
        after_track=f"CASE WHEN changed THEN target ELSE {track} END",
        transition=(
            f"CASE WHEN changed THEN {sql_text(Transition.ENROLLED_TO_ENROLLED)} ELSE '' END"
        ),
    )


def insert_missing(
    course: CourseRun, now: dt.datetime, user_ids_sql: str, params: Sequence[object]
) -> None:
    """Insert a placeholder row for each learner of ``user_ids_sql`` without one (enroll)."""
    table = ENROLLMENT_TABLE
    bulk.execute(
        f"INSERT INTO {table} (user_id, course_id, track, is_active, created, updated) "  # noqa: S608
        f"SELECT s.user_id, %s, %s, %s, %s, %s FROM ({user_ids_sql}) s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} e "
        "WHERE e.user_id = s.user_id AND e.course_id = %s) "
        "ON CONFLICT (user_id, course_id) DO NOTHING",
        [course.pk, PLACEHOLDER, False, now, now, *params, course.pk],
    )


def locked_rows_sql(user_ids_sql: str) -> str:
    """PostgreSQL: the course's rows of the learners of ``user_ids_sql``, locked in id order.

    Its parameters are the course's id, then those of ``user_ids_sql``. Columns: ``id,
    user_id, is_active, track``. The locks last until the caller's transaction ends.
    """
    return (
        f"SELECT e.id, e.user_id, e.is_active, e.track FROM {ENROLLMENT_TABLE} e "  # noqa: S608
        f"WHERE e.course_id = %s AND e.user_id IN ({user_ids_sql}) ORDER BY e.id FOR UPDATE"
    )


@dataclass(frozen=True, slots=True)
class BulkChange:
    user_id: int
    enrollment_id: int
    before_active: bool
    after_active: bool
    after_track: str


def enrollments_apply_staged(
    *,
    stage: str,
    course: CourseRun,
    actor: User | None,
    role: str,
    reason: str,
    batch_job_id: uuid.UUID | None,
    now: dt.datetime,
) -> None:
    """Move every changed row of ``stage`` and audit it; the caller holds the transaction.

    ``stage`` has the columns ``position, user_id, email, enrollment_id, before_enrollment,
    before_track, after_enrollment, after_track, transition`` (``transition`` empty when the
    row does not change). Audit rows follow ``position``. Tracks are trusted: the caller
    validated them against the course's offer and the actor's rights.
    """
    bulk.execute(
        f"UPDATE {ENROLLMENT_TABLE} AS e SET track = s.after_track, "  # noqa: S608
        f"is_active = s.after_enrollment, updated = %s FROM {stage} AS s "
        "WHERE e.id = s.enrollment_id AND s.transition <> ''",
        [now],
    )
    bulk.execute(
        f"INSERT INTO {AUDIT_TABLE} (course_id, enrollment_id, learner_id, email, actor_id, "  # noqa: S608
        "role, created_at, transition, track_before, track_after, reason, batch_job_id) "
        "SELECT %s, s.enrollment_id, s.user_id, s.email, %s, %s, %s, s.transition, "
        f"s.before_track, s.after_track, %s, %s FROM {stage} s "
        "WHERE s.transition <> '' ORDER BY s.position",
        [course.pk, actor.pk if actor else None, role, now, reason.strip(), batch_job_id],
    )
    _send_events_after_commit(course, stage, actor)


def _send_events_after_commit(course: CourseRun, stage: str, actor: User | None) -> None:
    """The same events as the single services, read from the stage only when someone listens."""
    listening = any(
        signal.has_listeners(events.CourseEnrollmentData)
        for signal in (
            events.enrollment_changed,
            events.enrollment_created,
            events.unenrollment_completed,
        )
    )
    if not listening and not events.learners_changed.has_listeners(events.LearnersChanged):
        return
    changes = [
        BulkChange(user_id, enrollment_id, bool(before), bool(after), track)
        for user_id, enrollment_id, before, after, track in bulk.fetch_all(
            "SELECT user_id, enrollment_id, before_enrollment, after_enrollment, after_track "  # noqa: S608
            f"FROM {stage} WHERE transition <> '' ORDER BY position"
        )
    ]
    events.send_learners_changed_after_commit(
        course.key, [(change.user_id, change.after_track) for change in changes]
    )
    if not listening or not changes:
        return
    enrollment_ids = [change.enrollment_id for change in changes]

    def send() -> None:
        from enrollment_tracks.enrollments.services import enrollment_event_data

        rows = Enrollment.objects.filter(pk__in=enrollment_ids).select_related("user", "course")
        by_id = {row.pk: row for row in rows}
        for change in changes:
            row = by_id.get(change.enrollment_id)
            if row is None:
                continue
            data = enrollment_event_data(row, row.user, actor)
            events.enrollment_changed.send(sender=events.CourseEnrollmentData, enrollment=data)
            if change.after_active and not change.before_active:
                events.enrollment_created.send(sender=events.CourseEnrollmentData, enrollment=data)
            if change.before_active and not change.after_active:
                events.unenrollment_completed.send(
                    sender=events.CourseEnrollmentData, enrollment=data
                )

    transaction.on_commit(send)


# ---------------------------------------------------------------------------- invitations


@dataclass(frozen=True, slots=True)
class InvitationState:
    exists: bool
    auto_enroll: bool


def _invitations_of(course: CourseRun, lowered: Sequence[str]) -> QuerySet[Invitation]:
    return Invitation.objects.annotate(email_lower=Lower("email")).filter(
        course=course, email_lower__in=list(lowered)
    )


_NOT_INVITED = InvitationState(False, False)


def invitations_state(course: CourseRun, emails: Sequence[str]) -> dict[str, InvitationState]:
    """Invitations of ``course`` for ``emails``, keyed by lower-cased email.

    The emails are staged rather than sent as parameters (a chunk has thousands of them); a
    course without any invitation is answered by one small query instead.
    """
    lowered = sorted({email.lower() for email in emails})
    if not lowered or not Invitation.objects.filter(course=course).exists():
        return dict.fromkeys(lowered, _NOT_INVITED)
    with transaction.atomic():  # the staged rows live until the end of the transaction
        staged = bulk.stage_strings(lowered)
        rows = bulk.fetch_all(
            f"SELECT i.email, i.auto_enroll FROM {INVITATION_TABLE} i "  # noqa: S608
            f"WHERE i.course_id = %s AND LOWER(i.email) IN (SELECT value FROM {staged})",
            [course.pk],
        )
    found = {email.lower(): InvitationState(True, bool(auto)) for email, auto in rows}
    return {email: found.get(email, _NOT_INVITED) for email in lowered}


def invitations_bulk_upsert(
    *,
    course: CourseRun,
    emails: Sequence[str],
    auto_enroll: bool,
    actor: User | None,
    role: str,
    reason: str,
    batch_job_id: uuid.UUID | None,
    now: dt.datetime,
) -> set[str]:
    """Invite every email (lower-cased); returns those that had no invitation before."""
    lowered = sorted({email.lower() for email in emails})
    if not lowered:
        return set()
    before = invitations_state(course, lowered)
    new = [email for email in lowered if not before[email].exists]
    Invitation.objects.bulk_create(
        [
            Invitation(email=email, course=course, auto_enroll=auto_enroll, created_by=actor)
            for email in new
        ],
        ignore_conflicts=True,
    )
    Invitation.objects.filter(
        pk__in=_invitations_of(course, lowered).exclude(auto_enroll=auto_enroll).values("pk")
    ).update(auto_enroll=auto_enroll)
    EnrollmentAudit.objects.bulk_create(
        EnrollmentAudit(
            course=course,
            email=email,
            actor=actor,
            role=role,
            created_at=now,
            transition=Transition.UNENROLLED_TO_ALLOWEDTOENROLL,
            reason=reason.strip(),
            batch_job_id=batch_job_id,
        )
        for email in new
    )
    return set(new)


def invitations_bulk_delete(
    *,
    course: CourseRun,
    emails: Sequence[str],
    actor: User | None,
    role: str,
    reason: str,
    batch_job_id: uuid.UUID | None,
    now: dt.datetime,
) -> set[str]:
    """Withdraw the invitations of ``emails``; returns the (lower-cased) emails that had one."""
    lowered = sorted({email.lower() for email in emails})
    if not lowered or not Invitation.objects.filter(course=course).exists():
        return set()  # (a chunk's thousands of emails are not sent when nothing can match)
    rows = list(_invitations_of(course, lowered).values("pk", "email"))
    Invitation.objects.filter(pk__in=[row["pk"] for row in rows]).delete()
    EnrollmentAudit.objects.bulk_create(
        EnrollmentAudit(
            course=course,
            email=row["email"],
            actor=actor,
            role=role,
            created_at=now,
            transition=Transition.ALLOWEDTOENROLL_TO_UNENROLLED,
            reason=reason.strip(),
            batch_job_id=batch_job_id,
        )
        for row in rows
    )
    return {row["email"].lower() for row in rows}
