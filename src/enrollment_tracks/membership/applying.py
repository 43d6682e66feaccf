"""Apply one chunk of a job's items in SQL: decide, write enrollments, results and emails.

The caller (`runner.job_run`) holds the chunk's transaction, so the enrollments, the audit rows,
the results, the queued emails and the job's checkpoint commit together or not at all: a worker
killed at any point leaves the chunk either fully done or not started.

A chunk is a range of item positions. One INSERT … SELECT stages it (`STAGE`): each item with
its learner's row and invitation as they are (on PostgreSQL locked first, in id order), the
enrollment rule of the action (`enrollments.bulk.row_rule`) and the item's outcome and
after-state (`_OutcomeRule`). Every write then reads the stage: the enrollments and their
audit rows (`enrollments_apply_staged`), the invitations, the results and the emails. Python
sees the outcome counts, the changes for the events, and invitation emails when the course has
invitations; never one row per learner.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import bulk, clock
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.enrollments.bulk import (
    INVITATION_TABLE,
    BulkAction,
    RowRule,
    enrollments_apply_staged,
    insert_missing,
    invitations_bulk_delete,
    invitations_bulk_upsert,
    locked_rows_sql,
    row_rule,
    sql_text,
)
from enrollment_tracks.enrollments.models import Enrollment, Invitation
from enrollment_tracks.enrollments.services import actor_role
from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import (
    ItemKind,
    JobAction,
    JobItem,
    JobResult,
    MembershipJob,
)
from enrollment_tracks.notifications.services import outbox_enqueue_select
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track

ITEM_TABLE = JobItem._meta.db_table
RESULT_TABLE = JobResult._meta.db_table
USER_TABLE = User._meta.db_table
ENROLLMENT_TABLE = Enrollment._meta.db_table
STAGE = "membership_chunk"
_ACTIONS = {
    JobAction.ENROLL: BulkAction.ENROLL,
    JobAction.UNENROLL: BulkAction.UNENROLL,
    JobAction.CHANGE_TRACK: BulkAction.CHANGE_TRACK,
}
_SKIPPED_PLANS = (o.DUPLICATE, o.INVALID_IDENTIFIER, o.UNKNOWN_USER, o.TRACK_NOT_OFFERED)
_LIVE = f"i.plan NOT IN ({', '.join(sql_text(plan) for plan in _SKIPPED_PLANS)})"
_LIVE_USER = f"{_LIVE} AND i.kind = {sql_text(ItemKind.USER)} AND i.user_id IS NOT NULL"
_STAGE_COLUMNS = (
    "position integer PRIMARY KEY, user_id bigint, email text NOT NULL, kind text NOT NULL, "
    "live boolean NOT NULL, enrollment_id bigint, before_enrollment boolean NOT NULL, "
    "before_track text NOT NULL, before_allowed boolean NOT NULL, "
    "before_auto_enroll boolean NOT NULL, after_enrollment boolean NOT NULL, after_track text, "
    "after_allowed boolean NOT NULL, after_auto_enroll boolean NOT NULL, "
    "transition text NOT NULL, result_transition text NOT NULL, outcome text NOT NULL"
)


@dataclass(frozen=True, slots=True)
class _OutcomeRule:
    """An item's outcome and after-state as SQL over its staged columns (see `_outcome_rule`)."""

    outcome: str
    after_allowed: str
    after_auto_enroll: str
    result_transition: str  # a registered learner's shows the enrollment's transition


def _outcome_rule(job: MembershipJob) -> _OutcomeRule:
    """Open edX's outcome of each item. Columns read: ``live, kind, plan, changed, allowed,
    auto, e_active, e_track, target`` and ``transition`` (the enrollment's)."""
    email_kind = f"live AND kind = {sql_text(ItemKind.EMAIL)}"
    user_transition = f"CASE WHEN NOT live THEN '' WHEN kind = {sql_text(ItemKind.USER)} THEN "
    if job.action == JobAction.ENROLL:
        invited = o.AUTOENROLLED if job.auto_enroll else o.ALLOWED
        return _OutcomeRule(
            outcome=(
                f"CASE WHEN NOT live THEN plan WHEN kind = {sql_text(ItemKind.EMAIL)} "
                f"THEN {sql_text(invited)} WHEN changed THEN {sql_text(o.ENROLLED)} "
                f"ELSE {sql_text(o.ALREADY_ENROLLED)} END"
            ),
            after_allowed=f"CASE WHEN {email_kind} THEN TRUE ELSE allowed END",
            after_auto_enroll=(
                f"CASE WHEN {email_kind} THEN {'TRUE' if job.auto_enroll else 'FALSE'} "
                "ELSE auto END"
            ),
            result_transition=(
                f"{user_transition}transition WHEN kind = {sql_text(ItemKind.EMAIL)} "
                "AND NOT allowed THEN 'from unenrolled to allowed to enroll' ELSE '' END"
            ),
        )
    if job.action == JobAction.UNENROLL:
        # Every live item's invitation is withdrawn: nobody is left allowed to enroll.
        return _OutcomeRule(
            outcome=(
                "CASE WHEN NOT live THEN plan "
                f"WHEN changed OR allowed THEN {sql_text(o.UNENROLLED)} "
                f"ELSE {sql_text(o.NOTUNENROLLED)} END"
            ),
            after_allowed="FALSE",
            after_auto_enroll="FALSE",
            result_transition=(
                f"{user_transition}transition "
                "WHEN allowed THEN 'from allowed to enroll to unenrolled' ELSE '' END"
            ),
        )
    return _OutcomeRule(
        outcome=(
            f"CASE WHEN NOT live THEN plan WHEN changed THEN {sql_text(o.CHANGED)} "
            f"WHEN NOT COALESCE(e_active, FALSE) THEN {sql_text(o.NOT_ENROLLED)} "
            f"WHEN e_track = target THEN {sql_text(o.ALREADY_ON)} "
            f"ELSE {sql_text(o.NOT_ON_FROM_TRACK)} END"
        ),
        after_allowed="allowed",
        after_auto_enroll="auto",
        result_transition=f"{user_transition}transition ELSE '' END",
    )


def _chunk_user_ids_sql() -> str:
    """The live registered learners of a chunk; parameters: job id, first, end position."""
    return (
        f"SELECT i.user_id FROM {ITEM_TABLE} i "  # noqa: S608
        f"WHERE i.job_id = %s AND i.position >= %s AND i.position < %s AND {_LIVE_USER}"
    )


def _stage_chunk(
    job: MembershipJob, start: int, end: int, rule: RowRule, outcome: _OutcomeRule
) -> None:
    """Stage positions ``[start, end)`` with their decisions: one INSERT … SELECT."""
    course = job.course
    postgres = bulk.is_postgres()
    default = course_default_track(course) if job.action == JobAction.ENROLL else None
    range_params = [job.pk, start, end]
    if postgres:
        # Lock the chunk's rows first, in id order: concurrent jobs never deadlock, and the
        # statement below reads the rows as they are now. (Joined to the staging statement as
        # a CTE, the lock made PostgreSQL, with no statistics yet for the job's items, loop
        # over all the locked rows for each item.)
        bulk.fetch_all(
            f"SELECT COUNT(*) FROM ({locked_rows_sql(_chunk_user_ids_sql())}) locked",  # noqa: S608
            [course.pk, *range_params],
        )
    invitations = Invitation.objects.filter(course=course).exists()
    if invitations:
        invitation_join = (
            f"LEFT JOIN {INVITATION_TABLE} v ON v.course_id = %s "
            f"AND LOWER(v.email) = LOWER(i.email) AND i.email <> '' AND {_LIVE}"
        )
        allowed, auto = "v.id IS NOT NULL", "COALESCE(v.auto_enroll, FALSE)"
        invitation_params: list[object] = [course.pk]
    else:  # no invitation in the course: nothing to join
        invitation_join, allowed, auto, invitation_params = "", "FALSE", "FALSE", []
    # Level 1: the item, its row and invitation; level 2: the rule; level 3: the outcome.
    items = (
        f"SELECT i.position, i.user_id, i.email, i.kind, i.plan, {_LIVE} AS live, "  # noqa: S608
        f"e.id AS e_id, e.is_active AS e_active, e.track AS e_track, {allowed} AS allowed, "
        f"{auto} AS auto, COALESCE(NULLIF(i.requested_track, ''), %s) AS target "
        f"FROM {ITEM_TABLE} i LEFT JOIN {ENROLLMENT_TABLE} e ON e.course_id = %s "
        f"AND e.user_id = i.user_id AND {_LIVE_USER} {invitation_join} "
        "WHERE i.job_id = %s AND i.position >= %s AND i.position < %s"
    )
    target = job.to_track or (default.slug if default else None)
    decided = f"SELECT b.*, {rule.changed} AS changed FROM ({items}) b"  # noqa: S608
    params = [*rule.params, target, course.pk, *invitation_params, *range_params]
    bulk.execute(
        f"INSERT INTO {STAGE} (position, user_id, email, kind, live, enrollment_id, "  # noqa: S608
        "before_enrollment, before_track, before_allowed, before_auto_enroll, after_enrollment, "
        "after_track, after_allowed, after_auto_enroll, transition, result_transition, outcome) "
        "SELECT position, user_id, email, kind, live, e_id, COALESCE(e_active, FALSE), "
        f"COALESCE(e_track, ''), allowed, auto, {rule.after_active}, {rule.after_track}, "
        f"{outcome.after_allowed}, {outcome.after_auto_enroll}, transition, "
        f"{outcome.result_transition}, {outcome.outcome} "
        f"FROM (SELECT c.*, {rule.transition} AS transition FROM ({decided}) c) d",
        params,
    )


def apply_chunk(job: MembershipJob, start: int, end: int, *, actor: User | None) -> Counter[str]:
    """Apply the items at positions ``[start, end)``; returns the chunk's outcome counts."""
    now = clock.now()
    course = job.course
    action = _ACTIONS[JobAction(job.action)]
    if action is BulkAction.CHANGE_TRACK and not job.to_track:
        raise ValueError("a change of track needs a target track")
    bulk.stage_table(STAGE, _STAGE_COLUMNS)
    if action is BulkAction.ENROLL:
        insert_missing(course, now, _chunk_user_ids_sql(), [job.pk, start, end])
    _stage_chunk(
        job, start, end, row_rule(action, from_track=job.from_track or None), _outcome_rule(job)
    )
    if action is BulkAction.ENROLL and bulk.fetch_all(
        f"SELECT 1 FROM {STAGE} WHERE transition <> '' AND after_track IS NULL LIMIT 1"  # noqa: S608
    ):
        raise ValueError("enroll needs a track: the course has no default track")
    role = actor_role(actor, course)
    enrollments_apply_staged(
        stage=STAGE,
        course=course,
        actor=actor,
        role=role,
        reason=job.reason,
        batch_job_id=job.pk,
        now=now,
    )
    _apply_invitations(job, action, actor=actor, role=role, now=now)
    bulk.execute(
        f"INSERT INTO {RESULT_TABLE} (job_id, position, outcome, before_user, "  # noqa: S608
        "before_enrollment, before_track, before_allowed, before_auto_enroll, after_user, "
        "after_enrollment, after_track, after_allowed, after_auto_enroll, transition, error) "
        "SELECT %s, position, outcome, user_id IS NOT NULL, before_enrollment, before_track, "
        "before_allowed, before_auto_enroll, user_id IS NOT NULL, after_enrollment, "
        "COALESCE(after_track, ''), after_allowed, after_auto_enroll, result_transition, '' "
        f"FROM {STAGE} ORDER BY position",
        [job.pk],
    )
    if job.notify:
        _Mail(job, action).enqueue()
    rows = bulk.fetch_all(f"SELECT outcome, COUNT(*) FROM {STAGE} GROUP BY outcome")  # noqa: S608
    return Counter({outcome: int(count) for outcome, count in rows})


def _apply_invitations(
    job: MembershipJob, action: BulkAction, *, actor: User | None, role: str, now: dt.datetime
) -> None:
    """Invite the emails without an account (enroll); withdraw the invitations (unenroll)."""
    common = {
        "course": job.course,
        "actor": actor,
        "role": role,
        "reason": job.reason,
        "batch_job_id": job.pk,
        "now": now,
    }
    if action is BulkAction.ENROLL:
        emails = [
            email
            for (email,) in bulk.fetch_all(
                f"SELECT email FROM {STAGE} WHERE live AND kind = %s ORDER BY position",  # noqa: S608
                [ItemKind.EMAIL.value],
            )
        ]
        if emails:
            invitations_bulk_upsert(emails=emails, auto_enroll=job.auto_enroll, **common)  # type: ignore[arg-type]
    elif action is BulkAction.UNENROLL and Invitation.objects.filter(course=job.course).exists():
        emails = [
            email
            for (email,) in bulk.fetch_all(
                f"SELECT email FROM {STAGE} WHERE live AND before_allowed ORDER BY position"  # noqa: S608
            )
        ]
        if emails:
            invitations_bulk_delete(emails=emails, **common)  # type: ignore[arg-type]


def _track_name(column: str) -> str:
    """SQL: the display name of the track slug in ``column`` (the slug itself when unknown)."""
    whens = " ".join(
        f"WHEN {sql_text(slug)} THEN {sql_text(spec.display_name)}"
        for slug, spec in catalog.CATALOG.items()
    )
    return f"CASE {column} {whens} ELSE {column} END"


def _grants_certificate(column: str) -> str:
    slugs = [slug for slug, spec in catalog.CATALOG.items() if spec.grants_certificate]
    return f"({column} IN ({', '.join(sql_text(slug) for slug in slugs)}))"


class _Mail:
    """The chunk's notification messages, built from the stage inside the database.

    Who gets which message (`_messages`) follows Open edX: enroll emails the newly enrolled
    and every invited address, unenroll the unenrolled and the withdrawn invitations, a change
    of track the moved learners. The job's common part is stored once (``shared``); each
    message's own context is the learner's name and its type's fields (`_PG_CONTEXT`).
    """

    def __init__(self, job: MembershipJob, action: BulkAction) -> None:
        course = job.course
        site = site_configuration_get()
        base = settings.SITE_URL
        self.job = job
        self.action = action
        self.common: dict[str, object] = {
            "course_name": course.title,
            "course_key": course.key,
            "platform_name": site.platform_name,
            "dashboard_url": base + reverse("web:dashboard"),
            "registration_url": base + reverse("web:signup"),
            "course_about_url": base + reverse("web:course-about", args=[course.key]),
            "auto_enroll": job.auto_enroll,
        }

    def _messages(self) -> list[tuple[str, str, str]]:
        """(message type, condition on the stage, its track-name columns) in sending order."""
        changed = "transition <> ''"
        none = "'' AS track_name, '' AS previous_track_name, FALSE AS grants_certificate"
        after, before = _track_name("after_track"), _track_name("before_track")
        if self.action is BulkAction.ENROLL:
            return [
                ("allowed_enroll", f"live AND kind = {sql_text(ItemKind.EMAIL)}", none),
                (
                    "enrolled_enroll",
                    changed,
                    f"{after} AS track_name, '' AS previous_track_name, "
                    "FALSE AS grants_certificate",
                ),
            ]
        if self.action is BulkAction.UNENROLL:
            return [
                ("allowed_unenroll", "live AND before_allowed", none),
                ("enrolled_unenroll", changed, none),
            ]
        return [
            (
                "track_changed",
                changed,
                f"{after} AS track_name, {before} AS previous_track_name, "
                f"{_grants_certificate('after_track')} AS grants_certificate",
            )
        ]

    def enqueue(self) -> None:
        messages = self._messages()
        key = f"membership:{self.job.pk}:"
        selects = [
            f"SELECT position * {len(messages)} + {order} AS ord, "  # noqa: S608
            f"CAST(%s AS text) || CAST(position AS text) || {sql_text(':' + message_type)} "
            f"AS msg_key, email AS to_email, {sql_text(message_type)} AS message_type, user_id, "
            f"{columns} FROM {STAGE} WHERE {condition}"
            for order, (message_type, condition, columns) in enumerate(messages)
        ]
        context = _PG_CONTEXT if bulk.is_postgres() else _SQLITE_CONTEXT
        outbox_enqueue_select(
            f"SELECT m.ord, m.msg_key, m.to_email, m.message_type, {context} AS context "  # noqa: S608
            f"FROM ({' UNION ALL '.join(selects)}) m",
            [key] * len(selects),
            {message_type for message_type, _, _ in messages},
            shared=self.common,
        )


# The learner's name, looked up by primary key: a join made PostgreSQL hash the whole user
# table for each chunk (the staged rows have no statistics).
_NAME = f"(SELECT u.name FROM {USER_TABLE} u WHERE u.id = m.user_id)"  # noqa: S608
# The context of a message (the job's common part is shared, stored once): the learner's name,
# then the fields of its type (enrolled_enroll: track_name; track_changed: track_name,
# previous_track_name, grants_certificate; the others: none).
_PG_CONTEXT = (
    "jsonb_build_object('full_name', COALESCE(" + _NAME + ", '')) || "
    "(CASE m.message_type "
    "WHEN 'enrolled_enroll' THEN jsonb_build_object('track_name', m.track_name) "
    "WHEN 'track_changed' THEN jsonb_build_object('track_name', m.track_name, "
    "'previous_track_name', m.previous_track_name, 'grants_certificate', m.grants_certificate) "
    "ELSE '{}'::jsonb END)"
)
_SQLITE_CONTEXT = (
    "json_patch(json_object('full_name', COALESCE(" + _NAME + ", '')), "
    "CASE m.message_type "
    "WHEN 'enrolled_enroll' THEN json_object('track_name', m.track_name) "
    "WHEN 'track_changed' THEN json_object('track_name', m.track_name, "
    "'previous_track_name', m.previous_track_name, 'grants_certificate', "
    "json(CASE WHEN m.grants_certificate THEN 'true' ELSE 'false' END)) "
    "ELSE '{}' END)"
)
