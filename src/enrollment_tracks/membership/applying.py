"""Apply one chunk of a job's items: set-based enrollment and invitation writes, results, emails.

The caller (`runner.job_run`) holds the chunk's transaction, so the enrollments, the audit rows,
the results, the queued emails and the job's checkpoint commit together or not at all: a worker
killed at any point leaves the chunk either fully done or not started.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import bulk, clock
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.enrollments.bulk import (
    BulkAction,
    BulkChange,
    BulkTarget,
    InvitationState,
    enrollments_bulk_apply,
    invitations_bulk_delete,
    invitations_bulk_upsert,
    invitations_state,
)
from enrollment_tracks.enrollments.services import actor_role
from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import ItemKind, JobAction, JobResult, MembershipJob
from enrollment_tracks.notifications.services import outbox_enqueue_select
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track

RESULT_TABLE = JobResult._meta.db_table
_ACTIONS = {
    JobAction.ENROLL: BulkAction.ENROLL,
    JobAction.UNENROLL: BulkAction.UNENROLL,
    JobAction.CHANGE_TRACK: BulkAction.CHANGE_TRACK,
}
_SKIPPED_PLANS = {o.DUPLICATE, o.INVALID_IDENTIFIER, o.UNKNOWN_USER, o.TRACK_NOT_OFFERED}


@dataclass(frozen=True, slots=True)
class Item:
    position: int
    identifier: str
    kind: str
    user_id: int | None
    email: str
    requested_track: str
    plan: str


def chunk_items(job: MembershipJob, start: int, size: int) -> list[Item]:
    """The next ``size`` items from position ``start`` (one query).

    The planner numbers items 0, 1, 2…, so the next ``size`` items are the positions
    ``[start, start + size)``. Saying so bounds the query: with ``position >= start`` alone,
    PostgreSQL (no statistics yet for the items the plan has just written) fetched and joined
    every remaining item before keeping ``size``, each chunk (quadratic in the job's size).
    """
    from enrollment_tracks.membership.models import JobItem

    def fetch(**bounds: int) -> list[Item]:
        rows = (
            JobItem.objects.filter(job=job, **bounds)
            .order_by("position")
            .values_list(
                "position",
                "identifier",
                "kind",
                "user_id",
                "email",
                "requested_track",
                "plan",
            )[:size]
        )
        return [Item(*row) for row in rows]

    items = fetch(position__gte=start, position__lt=start + size)
    if len(items) < size and start + size < job.total:
        items = fetch(position__gte=start)  # positions with gaps: the general query
    return items


def _track_name(slug: str) -> str:
    spec = catalog.CATALOG.get(slug)
    return spec.display_name if spec else slug


MAIL_STAGE = "membership_mail_stage"


class _Mail:
    """The chunk's notification messages, queued with the context the templates need.

    Python decides who gets which message; the database builds each context from the job's
    common part, the learner's name and the message's own fields (`_MAIL_CONTEXT`), as
    ``{**common, "full_name": ..., **extra}`` did, so thousands of contexts are neither
    encoded nor copied from Python.
    """

    def __init__(self, job: MembershipJob) -> None:
        course = job.course
        site = site_configuration_get()
        base = settings.SITE_URL
        self.job = job
        self.rows: list[tuple[Any, ...]] = []
        self.common: dict[str, Any] = {
            "course_name": course.title,
            "course_key": course.key,
            "platform_name": site.platform_name,
            "dashboard_url": base + reverse("web:dashboard"),
            "registration_url": base + reverse("web:signup"),
            "course_about_url": base + reverse("web:course-about", args=[course.key]),
            "auto_enroll": job.auto_enroll,
        }

    def add(
        self,
        item: Item,
        message_type: str,
        *,
        track_name: str = "",
        previous_track_name: str = "",
        grants_certificate: bool = False,
    ) -> None:
        if not self.job.notify:
            return
        self.rows.append(
            (
                len(self.rows),
                f"membership:{self.job.pk}:{item.position}:{message_type}",
                item.email,
                message_type,
                item.user_id,
                track_name,
                previous_track_name,
                grants_certificate,
            )
        )

    def enqueue(self) -> None:
        if not self.rows:
            return
        postgres = bulk.is_postgres()
        stage = bulk.stage_table(
            MAIL_STAGE,
            "ord integer PRIMARY KEY, msg_key text NOT NULL, to_email text NOT NULL, "
            "message_type text NOT NULL, user_id bigint, track_name text NOT NULL, "
            "previous_track_name text NOT NULL, grants_certificate boolean NOT NULL",
        )
        bulk.insert_rows(
            stage,
            [
                "ord",
                "msg_key",
                "to_email",
                "message_type",
                "user_id",
                "track_name",
                "previous_track_name",
                "grants_certificate",
            ],
            self.rows,
            plain=True,
        )
        context = _PG_CONTEXT if postgres else _SQLITE_CONTEXT
        outbox_enqueue_select(
            f"SELECT m.ord, m.msg_key, m.to_email, m.message_type, {context} AS context "  # noqa: S608
            f"FROM {stage} m",
            [json.dumps(self.common)],
            {row[3] for row in self.rows},
        )


USER_TABLE = User._meta.db_table
# The learner's name, looked up by primary key: a join made PostgreSQL hash the whole user
# table for each chunk (the staged rows have no statistics).
_NAME = f"(SELECT u.name FROM {USER_TABLE} u WHERE u.id = m.user_id)"  # noqa: S608
# The context of a message: the job's common part, the learner's name, then the fields of its
# type (enrolled_enroll: track_name; track_changed: track_name, previous_track_name,
# grants_certificate; the others: none). Later keys win, as in a dict merge.
_PG_CONTEXT = (
    "%s::jsonb || jsonb_build_object('full_name', COALESCE(" + _NAME + ", '')) || "
    "(CASE m.message_type "
    "WHEN 'enrolled_enroll' THEN jsonb_build_object('track_name', m.track_name) "
    "WHEN 'track_changed' THEN jsonb_build_object('track_name', m.track_name, "
    "'previous_track_name', m.previous_track_name, 'grants_certificate', m.grants_certificate) "
    "ELSE '{}'::jsonb END)"
)
_SQLITE_CONTEXT = (
    "json_patch(json_patch(%s, json_object('full_name', COALESCE(" + _NAME + ", ''))), "
    "CASE m.message_type "
    "WHEN 'enrolled_enroll' THEN json_object('track_name', m.track_name) "
    "WHEN 'track_changed' THEN json_object('track_name', m.track_name, "
    "'previous_track_name', m.previous_track_name, 'grants_certificate', "
    "json(CASE WHEN m.grants_certificate THEN 'true' ELSE 'false' END)) "
    "ELSE '{}' END)"
)


def apply_chunk(job: MembershipJob, items: list[Item], *, actor: User | None) -> Counter[str]:
    """Apply ``items`` and insert their results; returns the chunk's outcome counts."""
    now = clock.now()
    course = job.course
    role = actor_role(actor, course)
    action = _ACTIONS[JobAction(job.action)]
    mail = _Mail(job)
    live = [item for item in items if item.plan not in _SKIPPED_PLANS]
    users = [item for item in live if item.kind == ItemKind.USER and item.user_id]
    emails_only = [item for item in live if item.kind == ItemKind.EMAIL]
    allowed_before = invitations_state(course, [item.email for item in live if item.email])
    default = course_default_track(course)

    changes: dict[int, BulkChange] = {}
    if users:
        targets = [
            BulkTarget(
                user_id=item.user_id or 0,
                email=item.email,
                track=(item.requested_track or job.to_track or None),
                allowed=_was_allowed(allowed_before, item.email),
            )
            for item in users
        ]
        result = enrollments_bulk_apply(
            course=course,
            action=action,
            targets=targets,
            default_track=default.slug if default else None,
            from_track=job.from_track or None,
            actor=actor,
            role=role,
            reason=job.reason,
            batch_job_id=job.pk,
            now=now,
        )
        changes = {change.user_id: change for change in result}

    invited: set[str] = set()
    withdrawn: set[str] = set()
    if action is BulkAction.ENROLL and emails_only:
        invited = invitations_bulk_upsert(
            course=course,
            emails=[item.email for item in emails_only],
            auto_enroll=job.auto_enroll,
            actor=actor,
            role=role,
            reason=job.reason,
            batch_job_id=job.pk,
            now=now,
        )
    if action is BulkAction.UNENROLL:
        withdrawn = invitations_bulk_delete(
            course=course,
            emails=[item.email for item in live if item.email],
            actor=actor,
            role=role,
            reason=job.reason,
            batch_job_id=job.pk,
            now=now,
        )

    counts: Counter[str] = Counter()
    rows: list[list[Any]] = []
    for item in items:
        state = allowed_before.get(item.email.lower()) if item.email else None
        allowed, auto = (state.exists, state.auto_enroll) if state else (False, False)
        change = changes.get(item.user_id or 0) if item.kind == ItemKind.USER else None
        outcome, after = _outcome(job, item, change, allowed, auto, invited, withdrawn, mail)
        counts[outcome] += 1
        before_enrolled = bool(change and change.before_active)
        rows.append(
            [
                job.pk,
                item.position,
                outcome,
                item.user_id is not None,  # Open edX's "user": an account exists
                before_enrolled,
                change.before_track if change else "",
                allowed,
                auto,
                after["user"],
                after["enrollment"],
                after["track"],
                after["allowed"],
                after["auto_enroll"],
                change.transition or "" if change else after["transition"],
                "",
            ]
        )
    bulk.insert_rows(
        RESULT_TABLE,
        [
            "job_id",
            "position",
            "outcome",
            "before_user",
            "before_enrollment",
            "before_track",
            "before_allowed",
            "before_auto_enroll",
            "after_user",
            "after_enrollment",
            "after_track",
            "after_allowed",
            "after_auto_enroll",
            "transition",
            "error",
        ],
        rows,
        plain=True,
    )
    mail.enqueue()
    return counts


def _was_allowed(allowed_before: dict[str, InvitationState], email: str) -> bool:
    state = allowed_before.get(email.lower()) if email else None
    return bool(state and state.exists)


def _outcome(
    job: MembershipJob,
    item: Item,
    change: BulkChange | None,
    allowed: bool,
    auto: bool,
    invited: set[str],
    withdrawn: set[str],
    mail: _Mail,
) -> tuple[str, dict[str, Any]]:
    """The item's outcome and after-state; queues its email when something changed."""
    is_user = item.kind == ItemKind.USER
    after: dict[str, Any] = {
        "user": item.user_id is not None,
        "enrollment": bool(change and change.after_active),
        "track": change.after_track if change else "",
        "allowed": allowed,
        "auto_enroll": auto,
        "transition": "",
    }
    if item.plan in _SKIPPED_PLANS:
        return item.plan, after
    email = item.email.lower()
    if job.action == JobAction.ENROLL:
        if not is_user:
            after.update(allowed=True, auto_enroll=job.auto_enroll)
            if email in invited:
                after["transition"] = "from unenrolled to allowed to enroll"
            mail.add(item, "allowed_enroll")
            return (o.AUTOENROLLED if job.auto_enroll else o.ALLOWED), after
        if change and change.changed:
            mail.add(item, "enrolled_enroll", track_name=_track_name(change.after_track))
            return o.ENROLLED, after
        return o.ALREADY_ENROLLED, after
    if job.action == JobAction.UNENROLL:
        unenrolled = bool(change and change.changed)
        removed = email in withdrawn
        if removed:
            after.update(allowed=False, auto_enroll=False)
            if not unenrolled:
                after["transition"] = "from allowed to enroll to unenrolled"
            mail.add(item, "allowed_unenroll")
        if unenrolled:
            mail.add(item, "enrolled_unenroll")
        return (o.UNENROLLED if unenrolled or removed else o.NOTUNENROLLED), after
    if change and change.changed:
        spec = catalog.CATALOG.get(change.after_track)
        mail.add(
            item,
            "track_changed",
            track_name=_track_name(change.after_track),
            previous_track_name=_track_name(change.before_track),
            grants_certificate=bool(spec and spec.grants_certificate),
        )
        return o.CHANGED, after
    if change is None or not change.before_active:
        return o.NOT_ENROLLED, after
    if change.before_track == (item.requested_track or job.to_track):
        return o.ALREADY_ON, after
    return o.NOT_ON_FROM_TRACK, after
