"""The dry run: resolve every identifier with a few set-based queries and store the plan.

Nothing about an enrollment changes here. The job is stored in status "planned" with one item
per identifier; confirming it (`services.job_confirm`) queues it for the worker, which re-checks
every learner as it applies the chunk.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import bulk, clock
from enrollment_tracks.core.errors import PermissionDenied, ValidationFailed
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.enrollments import policy
from enrollment_tracks.enrollments.bulk import INVITATION_TABLE, sql_text
from enrollment_tracks.enrollments.models import Enrollment, Invitation
from enrollment_tracks.membership import outcomes as o
from enrollment_tracks.membership.models import ItemKind, JobAction, JobItem, MembershipJob
from enrollment_tracks.membership.parsing import Entry, looks_like_formula
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track, course_track_find
from enrollment_tracks.tracks.types import OfferedTrack

_USERNAME = re.compile(r"^[\w.@+-]+\Z")
ITEM_TABLE = JobItem._meta.db_table


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRequest:
    action: str
    entries: list[Entry]
    to_track: str = ""
    from_track: str = ""
    auto_enroll: bool = False
    notify: bool = False
    reason: str = ""
    source: str = "page"
    request_key: str = ""


def _offered(course: CourseRun, slug: str, field: str) -> OfferedTrack:
    spec = catalog.track_spec(slug, field=field)
    track = course_track_find(course, spec.slug, include_expired=True)
    if track is None:
        raise ValidationFailed(
            f"This course does not offer the {spec.display_name} track.",
            code="track_not_offered",
            field=field,
        )
    return track


def check_request(*, actor: User, course: CourseRun, request: JobRequest) -> None:
    """Refuse a job the actor may not run or whose options break a rule (nothing stored)."""
    if not can_manage_course(actor, course):
        raise PermissionDenied(
            "Only the course team can change this course's enrollments.", code="not_course_staff"
        )
    if request.action not in JobAction.values:
        raise ValidationFailed(
            "Choose enroll, unenroll or change track.", code="invalid_action", field="action"
        )
    if request.from_track:
        catalog.track_spec(request.from_track, field="from_track")
    if request.action == JobAction.CHANGE_TRACK:
        if not request.to_track:
            raise ValidationFailed(
                "Choose the track to move the learners to.", code="required", field="to_track"
            )
        policy.check_staff_reason(
            track=_offered(course, request.to_track, "to_track"), reason=request.reason
        )
    elif request.action == JobAction.ENROLL:
        if request.to_track:
            policy.check_staff_reason(
                track=_offered(course, request.to_track, "to_track"), reason=request.reason
            )
        elif course_default_track(course) is None and any(not e.track for e in request.entries):
            raise ValidationFailed(
                "This course has no free default track: choose the track to enroll them on.",
                code="no_free_track",
                field="to_track",
            )
        paid_rows = {
            entry.track
            for entry in request.entries
            if entry.track
            and catalog.is_known(entry.track)
            and catalog.CATALOG[entry.track].is_paid
        }
        if paid_rows and not request.reason.strip():
            raise ValidationFailed(
                "Give a reason: the file puts learners on a paid track without payment.",
                code="reason_required",
                field="reason",
            )


def _classify(identifier: str) -> str:
    if looks_like_formula(identifier):
        return ItemKind.INVALID
    if "@" in identifier:
        try:
            validate_email(identifier)
        except DjangoValidationError:
            return ItemKind.INVALID
        return ItemKind.EMAIL
    return ItemKind.USER if _USERNAME.match(identifier) else ItemKind.INVALID


def job_plan(*, actor: User, course: CourseRun, request: JobRequest) -> MembershipJob:
    """Check the request, resolve every identifier and store the plan (a dry run).

    The same ``request_key`` from the same person for the same course gives back the job it
    created the first time (a double click makes one job).
    """
    check_request(actor=actor, course=course, request=request)
    if request.request_key:
        existing = MembershipJob.objects.filter(
            course=course, created_by=actor, request_key=request.request_key
        ).first()
        if existing is not None:
            return existing
    default = course_default_track(course)
    offered_slugs = {track.slug for track in _course_tracks_all(course)}
    try:
        with transaction.atomic():
            job = MembershipJob.objects.create(
                course=course,
                created_by=actor,
                action=request.action,
                to_track=request.to_track,
                from_track=request.from_track,
                auto_enroll=request.auto_enroll,
                notify=request.notify,
                reason=request.reason.strip(),
                source=request.source,
                request_key=request.request_key,
                created_at=clock.now(),
            )
            counts = _plan_items(job, request, default=default, offered=offered_slugs)
            job.total = len(request.entries)
            job.plan_counts = counts
            job.save(update_fields=["total", "plan_counts"])
    except IntegrityError:
        # The same request_key raced in from a second click: answer with the first job.
        return MembershipJob.objects.get(
            course=course, created_by=actor, request_key=request.request_key
        )
    return job


def _course_tracks_all(course: CourseRun) -> list[OfferedTrack]:
    from enrollment_tracks.tracks.selectors import course_tracks

    return course_tracks(course, include_expired=True, learner_visible_only=False)


PLAN_STAGE = "membership_plan_stage"
_PLAN_STAGE_COLUMNS = (
    "position integer PRIMARY KEY, identifier text NOT NULL, lookup text NOT NULL, "
    "kind text NOT NULL, track text NOT NULL, track_offered boolean NOT NULL, "
    "detail text NOT NULL"
)


def _plan_items(
    job: MembershipJob, request: JobRequest, *, default: OfferedTrack | None, offered: set[str]
) -> dict[str, int]:
    """Store one item per entry with its plan bucket; returns the counts per bucket.

    Python reads each identifier (`_classify`, the email validator) and spots the same one
    written twice; one INSERT … SELECT then finds the accounts, their enrollments and
    invitations and the plan of every item (`_plan_sql`), inside the database.
    """
    seen: set[str] = set()
    rows: list[tuple[object, ...]] = []
    enroll = job.action == JobAction.ENROLL
    for position, entry in enumerate(request.entries):
        lookup = entry.identifier.lower()
        if lookup in seen:
            kind, detail = str(ItemKind.DUPLICATE), ""
        else:
            seen.add(lookup)
            kind = _classify(entry.identifier)
            formula = kind == ItemKind.INVALID and looks_like_formula(entry.identifier)
            detail = "looks like a spreadsheet formula" if formula else ""
        track = entry.track if enroll else ""
        offered_track = not track or track in offered
        rows.append((position, entry.identifier[:320], lookup, kind, track, offered_track, detail))
    stage = bulk.stage_table(PLAN_STAGE, _PLAN_STAGE_COLUMNS)
    bulk.insert_rows(
        stage,
        ["position", "identifier", "lookup", "kind", "track", "track_offered", "detail"],
        rows,
        plain=True,
    )
    if bulk.is_postgres():
        # The statement sorts every item twice (learners named twice, then positions): in
        # memory rather than on disk, for this transaction only.
        bulk.execute("SET LOCAL work_mem = '64MB'")
    kinds = {row[3] for row in rows}
    sql, params = _plan_sql(
        job, default=default, usernames=ItemKind.USER in kinds, emails=ItemKind.EMAIL in kinds
    )
    bulk.execute(sql, params)
    counts: Counter[str] = Counter()
    for plan, detail, count in bulk.fetch_all(
        f"SELECT plan, CASE WHEN plan = %s THEN plan_detail ELSE '' END, COUNT(*) "  # noqa: S608
        f"FROM {ITEM_TABLE} WHERE job_id = %s GROUP BY 1, 2",
        [o.WILL_CHANGE, job.pk],
    ):
        counts[plan] += int(count)
        if plan == o.WILL_CHANGE:
            counts[f"{o.WILL_CHANGE}:{detail}"] += int(count)
    return dict(counts)


def _plan_sql(
    job: MembershipJob, *, default: OfferedTrack | None, usernames: bool, emails: bool
) -> tuple[str, list[object]]:
    """The INSERT … SELECT of a job's items from the staged entries, and its parameters.

    ``usernames`` and ``emails`` say whether any entry is one (the accounts are joined only
    for the kinds present).

    As Open edX: enroll acts on an active account and invites the email of an inactive one
    (enrolled once activated); unenroll and change of track act on the account's enrollment
    whether it is active or not, by username or by email. A learner named twice (username and
    email) counts once, at the first place they are named.
    """
    users = User._meta.db_table
    user, email, invalid, unknown, duplicate = (
        sql_text(kind)
        for kind in (
            ItemKind.USER,
            ItemKind.EMAIL,
            ItemKind.INVALID,
            ItemKind.UNKNOWN,
            ItemKind.DUPLICATE,
        )
    )
    # Level 1: each entry and the account it names. (``lookup || ''`` has no type affinity:
    # compared to the bare text column, SQLite ignored the LOWER() indexes and scanned.)
    joins = {
        "uu": f"s.kind = {user} AND LOWER(uu.username) = s.lookup || ''" if usernames else "",
        "ue": f"s.kind = {email} AND LOWER(ue.email) = s.lookup || ''" if emails else "",
    }
    joined = [alias for alias, condition in joins.items() if condition]

    def account(column: str, sql_type: str) -> str:
        values = [f"{alias}.{column}" for alias in joined]
        if not values:
            return f"CAST(NULL AS {sql_type})"
        return values[0] if len(values) == 1 else f"COALESCE({', '.join(values)})"

    found = (
        "SELECT s.position, s.identifier, s.lookup, s.kind AS kind0, s.track, s.track_offered, "  # noqa: S608
        f"s.detail, {account('id', 'bigint')} AS found_id, "
        f"{account('email', 'text')} AS found_email, "
        f"{account('is_active', 'boolean')} AS found_active FROM {PLAN_STAGE} s "
        + " ".join(f"LEFT JOIN {users} {alias} ON {joins[alias]}" for alias in joined)
    )
    # Level 2: the item's kind; a learner named before is a duplicate.
    enroll = job.action == JobAction.ENROLL
    acting = "TRUE" if not enroll else "found_active"
    kinds = (
        f"SELECT f.*, CASE WHEN kind0 IN ({duplicate}, {invalid}) THEN kind0 "  # noqa: S608
        f"WHEN found_id IS NULL AND kind0 = {user} THEN {unknown} "
        "WHEN found_id IS NULL THEN kind0 "
        "WHEN ROW_NUMBER() OVER (PARTITION BY found_id ORDER BY position) > 1 "
        f"THEN {duplicate} WHEN {acting} THEN {user} ELSE {email} END AS kind "
        f"FROM ({found}) f"
    )
    # Level 3: the account (none for a duplicate), its enrollment and invitation.
    params: list[object] = [job.course.pk]
    invitation_join, invited = "", "FALSE"
    if job.action == JobAction.UNENROLL and Invitation.objects.filter(course=job.course).exists():
        invitation_join = (
            f"LEFT JOIN {INVITATION_TABLE} v ON v.course_id = %s "
            f"AND LOWER(v.email) = k.lookup || '' AND k.kind = {email} AND k.found_id IS NULL"
        )
        invited = "v.id IS NOT NULL"
        params.append(job.course.pk)
    items = (
        "SELECT k.position, k.identifier, k.kind, k.track, k.track_offered, k.detail, "  # noqa: S608
        f"CASE WHEN k.kind IN ({user}, {email}) THEN k.found_id END AS user_id, "
        f"CASE WHEN k.kind IN ({user}, {email}) AND k.found_id IS NOT NULL THEN k.found_email "
        f"WHEN k.kind = {email} THEN k.identifier ELSE '' END AS email, "
        "COALESCE(e.track, '') AS enrolled_track, COALESCE(e.is_active, FALSE) AS enrolled, "
        f"{invited} AS invited "
        f"FROM ({kinds}) k LEFT JOIN {Enrollment._meta.db_table} e "
        f"ON e.user_id = k.found_id AND e.course_id = %s AND k.kind IN ({user}, {email}) "
        f"{invitation_join}"
    )
    plan, plan_params = _plan_rule(job, default=default)
    return (
        f"INSERT INTO {ITEM_TABLE} (job_id, position, identifier, kind, user_id, email, "  # noqa: S608
        "requested_track, plan, plan_detail) "
        f"SELECT %s, position, identifier, kind, user_id, email, track, {plan} "
        f"FROM ({items}) i ORDER BY position",
        [job.pk, *plan_params, *params],
    )


def _plan_rule(job: MembershipJob, *, default: OfferedTrack | None) -> tuple[str, list[object]]:
    """SQL for the plan bucket and detail of an item (two columns), and their parameters.

    Columns read: ``kind, detail, track, track_offered, enrolled, enrolled_track, invited``.
    """
    o_ = {
        name: sql_text(value)
        for name, value in vars(o).items()
        if name.isupper() and isinstance(value, str)
    }
    email = sql_text(ItemKind.EMAIL)
    skipped = (
        f"WHEN kind = {sql_text(ItemKind.DUPLICATE)} THEN {o_['DUPLICATE']} "
        f"WHEN kind = {sql_text(ItemKind.INVALID)} THEN {o_['INVALID_IDENTIFIER']} "
        f"WHEN kind = {sql_text(ItemKind.UNKNOWN)} THEN {o_['UNKNOWN_USER']} "
    )
    skipped_detail = (
        f"WHEN kind IN ({sql_text(ItemKind.DUPLICATE)}, {sql_text(ItemKind.UNKNOWN)}) THEN '' "
        f"WHEN kind = {sql_text(ItemKind.INVALID)} THEN detail "
    )
    if job.action == JobAction.ENROLL:
        wanted = job.to_track or (default.slug if default else "")
        invite = "auto-enroll" if job.auto_enroll else "allowed to enroll"
        plan = (
            f"CASE {skipped}WHEN NOT track_offered THEN {o_['TRACK_NOT_OFFERED']} "
            f"WHEN kind = {email} THEN {o_['WILL_INVITE']} "
            f"WHEN enrolled THEN {o_['ALREADY_ENROLLED']} ELSE {o_['WILL_ENROLL']} END"
        )
        detail = (
            f"CASE {skipped_detail}WHEN NOT track_offered THEN track "
            f"WHEN kind = {email} THEN {sql_text(invite)} "
            "WHEN enrolled THEN enrolled_track ELSE COALESCE(NULLIF(track, ''), %s) END"
        )
        return f"{plan}, {detail}", [wanted]
    if job.action == JobAction.UNENROLL:
        plan = (
            f"CASE {skipped}WHEN kind = {email} AND invited THEN {o_['WILL_UNENROLL']} "
            f"WHEN kind = {email} THEN {o_['NOT_ENROLLED']} "
            f"WHEN enrolled THEN {o_['WILL_UNENROLL']} ELSE {o_['NOT_ENROLLED']} END"
        )
        detail = (
            f"CASE {skipped_detail}WHEN kind = {email} AND invited "
            f"THEN 'invitation withdrawn' WHEN kind = {email} THEN '' "
            "WHEN enrolled THEN enrolled_track ELSE '' END"
        )
        return f"{plan}, {detail}", []
    from_track = job.from_track
    plan = (
        f"CASE {skipped}WHEN kind = {email} THEN {o_['UNKNOWN_USER']} "
        f"WHEN NOT enrolled THEN {o_['NOT_ENROLLED']} "
        f"WHEN enrolled_track = %s THEN {o_['ALREADY_ON']} "
        + (f"WHEN enrolled_track <> %s THEN {o_['NOT_ON_FROM_TRACK']} " if from_track else "")
        + f"ELSE {o_['WILL_CHANGE']} END"
    )
    detail = (
        f"CASE {skipped_detail}WHEN kind = {email} OR NOT enrolled THEN '' "
        "WHEN enrolled_track = %s THEN enrolled_track "
        + ("WHEN enrolled_track <> %s THEN enrolled_track " if from_track else "")
        + "ELSE enrolled_track || %s END"
    )
    from_params = [from_track] if from_track else []
    return (
        f"{plan}, {detail}",
        [job.to_track, *from_params, job.to_track, *from_params, f"→{job.to_track}"],
    )
