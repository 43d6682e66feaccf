"""Set-based enrollment writes for batch jobs: one chunk of learners per call.

The caller (a membership job) holds the transaction of the chunk. Every statement works on the
whole chunk: stage the learners' ids, insert missing enrollments, read the chunk's rows once
(locked on PostgreSQL, in id order so that concurrent jobs never deadlock), update each group of
rows that move to the same state with one statement, and write the audit rows in bulk. The
rules are the same as the single-learner services: unenroll deactivates, enroll (re-)activates on
the requested or default track and leaves active learners where they are, a change of track
moves active learners only.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections import defaultdict
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
_PLACEHOLDER = ""  # the track of a row inserted by this chunk and not yet filled in


class BulkAction(enum.StrEnum):
    ENROLL = "enroll"
    UNENROLL = "unenroll"
    CHANGE_TRACK = "change_track"


@dataclass(frozen=True, slots=True)
class BulkTarget:
    user_id: int
    email: str
    track: str | None = None  # the requested track; None means the course's default (enroll)
    allowed: bool = False  # had an invitation (enrollment allowed) before: the audit says so


@dataclass(frozen=True, slots=True)
class BulkChange:
    user_id: int
    enrollment_id: int | None
    before_active: bool
    before_track: str  # "" when the learner had no enrollment row
    after_active: bool
    after_track: str
    transition: Transition | None  # None: nothing changed for this learner

    @property
    def changed(self) -> bool:
        return self.transition is not None


@dataclass(frozen=True, slots=True)
class _Row:
    enrollment_id: int
    track: str
    is_active: bool


def _insert_missing(course: CourseRun, now: dt.datetime, ids_table: str) -> None:
    table = ENROLLMENT_TABLE
    bulk.execute(
        f"INSERT INTO {table} (user_id, course_id, track, is_active, created, updated) "  # noqa: S608
        f"SELECT s.id, %s, %s, %s, %s, %s FROM {ids_table} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} e WHERE e.user_id = s.id AND e.course_id = %s) "
        "ON CONFLICT (user_id, course_id) DO NOTHING",
        [course.pk, _PLACEHOLDER, False, now, now, course.pk],
    )


TARGETS_TABLE = "bulk_stage_targets"


def _stage_targets(targets: Sequence[BulkTarget]) -> tuple[str, bool]:
    """Stage the chunk's learners (id, order, email); True if no learner is named twice."""
    postgres = bulk.is_postgres()
    table = bulk.stage_table(
        TARGETS_TABLE,
        "id bigint PRIMARY KEY, ord integer NOT NULL, email text NOT NULL"
        if postgres
        else "id INTEGER PRIMARY KEY, ord INTEGER NOT NULL, email TEXT NOT NULL",
    )
    first: dict[int, tuple[int, str]] = {}
    for position, target in enumerate(targets):
        first.setdefault(target.user_id, (position, target.email))
    bulk.insert_rows(
        table,
        ["id", "ord", "email"],
        [(user_id, *first[user_id]) for user_id in sorted(first)],
        plain=True,
    )
    return table, len(first) == len(targets)


def _read_locked(course: CourseRun, ids_table: str) -> dict[int, _Row]:
    # PostgreSQL locks the rows in id order (concurrent jobs never deadlock). SQLite has no
    # row locks (the transaction holds the database): the rows are sorted here instead, as an
    # ORDER BY makes it walk the whole course's enrollments by id (30 ms a chunk at 100,000).
    postgres = bulk.is_postgres()
    rows = bulk.fetch_all(
        f"SELECT e.user_id, e.id, e.track, e.is_active FROM {ENROLLMENT_TABLE} e "  # noqa: S608
        f"WHERE e.course_id = %s AND e.user_id IN (SELECT id FROM {ids_table})"
        + (" ORDER BY e.id FOR UPDATE" if postgres else ""),
        [course.pk],
    )
    if not postgres:
        rows.sort(key=lambda row: row[1])
    return {
        user_id: _Row(enrollment_id=pk, track=track, is_active=bool(active))
        for user_id, pk, track, active in rows
    }


def _decide(
    action: BulkAction,
    target: BulkTarget,
    row: _Row | None,
    *,
    default_track: str | None,
    from_track: str | None,
) -> BulkChange:
    """One learner's change: a pure function of the action and the row as it is now."""
    if row is None:
        return BulkChange(target.user_id, None, False, "", False, "", None)
    new = row.track == _PLACEHOLDER
    before_track = "" if new else row.track
    unchanged = BulkChange(
        target.user_id,
        row.enrollment_id,
        row.is_active,
        before_track,
        row.is_active,
        row.track,
        None,
    )
    if action is BulkAction.ENROLL:
        if row.is_active and not new:
            return unchanged
        track = target.track or default_track
        if not track:
            raise ValueError("enroll needs a track: the course has no default track")
        return BulkChange(
            target.user_id,
            row.enrollment_id,
            False,
            before_track,
            True,
            track,
            Transition.ALLOWEDTOENROLL_TO_ENROLLED
            if target.allowed
            else Transition.UNENROLLED_TO_ENROLLED,
        )
    if action is BulkAction.UNENROLL:
        if not row.is_active or new:
            return unchanged
        return BulkChange(
            target.user_id,
            row.enrollment_id,
            True,
            row.track,
            False,
            row.track,
            Transition.ENROLLED_TO_UNENROLLED,
        )
    track = target.track
    if not track:
        raise ValueError("a change of track needs a target track")
    if not row.is_active or new or row.track == track:
        return unchanged
    if from_track is not None and row.track != from_track:
        return unchanged
    return BulkChange(
        target.user_id,
        row.enrollment_id,
        True,
        row.track,
        True,
        track,
        Transition.ENROLLED_TO_ENROLLED,
    )


def enrollments_bulk_apply(
    *,
    course: CourseRun,
    action: BulkAction,
    targets: Sequence[BulkTarget],
    default_track: str | None,
    from_track: str | None,
    actor: User | None,
    role: str,
    reason: str,
    batch_job_id: uuid.UUID | None,
    now: dt.datetime,
) -> list[BulkChange]:
    """Apply ``action`` to one chunk of learners; the caller holds the transaction.

    Tracks are trusted: the caller validated them against the course's offer and the actor's
    rights (the membership planner does, with the same predicates as the single services).
    Returns one change per target, in the targets' order.
    """
    if not targets:
        return []
    ids_table, distinct = _stage_targets(targets)
    if action is BulkAction.ENROLL:
        _insert_missing(course, now, ids_table)
    rows = _read_locked(course, ids_table)
    changes = [
        _decide(
            action,
            target,
            rows.get(target.user_id),
            default_track=default_track,
            from_track=from_track,
        )
        for target in targets
    ]
    groups: dict[tuple[bool, str], list[int]] = defaultdict(list)
    transitions: set[str] = set()
    for change in changes:
        if change.changed and change.enrollment_id is not None:
            groups[(change.after_active, change.after_track)].append(change.enrollment_id)
            transitions.add(change.transition or "")
    every_row = {row.enrollment_id for row in rows.values()}
    audit_columns = (
        "course_id, enrollment_id, learner_id, email, actor_id, role, created_at, transition, "
        "track_before, track_after, reason, batch_job_id"
    )
    audited = False
    postgres = bulk.is_postgres()
    for (active, track), enrollment_ids in groups.items():
        if (
            len(groups) == 1
            and postgres
            and distinct
            and len(transitions) == 1
            and len(enrollment_ids) == len(every_row)
            and set(enrollment_ids) == every_row
        ):
            # The usual chunk: every row read moves the same way, and the learners already
            # staged name exactly those rows. The audit rows are written from the rows as they
            # are (the tracks before), in the targets' order, then one UPDATE moves them all:
            # nothing crosses into Python and back. (SQLite joined the staged learners slower
            # than its executemany of the rows, below.)
            bulk.execute(
                f"INSERT INTO {AUDIT_TABLE} ({audit_columns}) "  # noqa: S608
                f"SELECT %s, e.id, e.user_id, s.email, %s, %s, %s, %s, e.track, %s, %s, %s "
                f"FROM {ENROLLMENT_TABLE} e JOIN {ids_table} s ON s.id = e.user_id "
                "WHERE e.course_id = %s ORDER BY s.ord",
                [
                    course.pk,
                    actor.pk if actor else None,
                    role,
                    now,
                    str(next(iter(transitions))),
                    track,
                    reason.strip(),
                    batch_job_id,
                    course.pk,
                ],
            )
            audited = True
            bulk.execute(
                f"UPDATE {ENROLLMENT_TABLE} SET track = %s, is_active = %s, updated = %s "  # noqa: S608
                f"WHERE course_id = %s AND user_id IN (SELECT id FROM {ids_table})",
                [track, active, now, course.pk],
            )
            continue
        ids = bulk.stage_ids(enrollment_ids)
        bulk.execute(
            f"UPDATE {ENROLLMENT_TABLE} SET track = %s, is_active = %s, updated = %s "  # noqa: S608
            f"WHERE id IN (SELECT id FROM {ids})",
            [track, active, now],
        )
    if not audited:
        emails = {target.user_id: target.email for target in targets}
        bulk.insert_rows(
            AUDIT_TABLE,
            [
                "course_id",
                "enrollment_id",
                "learner_id",
                "email",
                "actor_id",
                "role",
                "created_at",
                "transition",
                "track_before",
                "track_after",
                "reason",
                "batch_job_id",
            ],
            (
                [
                    course.pk,
                    change.enrollment_id,
                    change.user_id,
                    emails[change.user_id],
                    actor.pk if actor else None,
                    role,
                    now,
                    change.transition,
                    change.before_track,
                    change.after_track,
                    reason.strip(),
                    batch_job_id,
                ]
                for change in changes
                if change.changed
            ),
        )
    _send_events_after_commit(course, [c for c in changes if c.changed], actor)
    return changes


def _send_events_after_commit(
    course: CourseRun, changes: Sequence[BulkChange], actor: User | None
) -> None:
    """The same events as the single services, built only when someone listens."""
    events.send_learners_changed_after_commit(
        course.key, [(change.user_id, change.after_track) for change in changes]
    )
    listening = any(
        signal.has_listeners(events.CourseEnrollmentData)
        for signal in (
            events.enrollment_changed,
            events.enrollment_created,
            events.unenrollment_completed,
        )
    )
    if not listening or not changes:
        return
    enrollment_ids = [change.enrollment_id for change in changes if change.enrollment_id]

    def send() -> None:
        from enrollment_tracks.enrollments.services import enrollment_event_data

        rows = Enrollment.objects.filter(pk__in=enrollment_ids).select_related("user", "course")
        by_id = {row.pk: row for row in rows}
        for change in changes:
            row = by_id.get(change.enrollment_id or 0)
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
