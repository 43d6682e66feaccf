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
from enrollment_tracks.enrollments.bulk import InvitationState, invitations_state
from enrollment_tracks.enrollments.models import Enrollment
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


@dataclass(frozen=True, slots=True)
class _Found:
    """A user named by an identifier, with their enrollment in the job's course."""

    id: int
    email: str
    is_active: bool
    track: str  # "" when not enrolled
    enrolled: bool  # an active enrollment


def _users_by(course: CourseRun, field: str, values: set[str]) -> dict[str, _Found]:
    """Users whose lower-cased ``field`` is in ``values``, with their enrollment (one query)."""
    if not values:
        return {}
    staged = bulk.stage_strings(values)
    rows = bulk.fetch_all(
        f"SELECT LOWER(u.{field}), u.id, u.email, u.is_active, e.track, e.is_active "  # noqa: S608
        f"FROM {User._meta.db_table} u LEFT JOIN {Enrollment._meta.db_table} e "
        "ON e.user_id = u.id AND e.course_id = %s "
        f"WHERE LOWER(u.{field}) IN (SELECT value FROM {staged})",
        [course.pk],
    )
    return {
        key: _Found(pk, email, bool(active), track or "", bool(enrolled))
        for key, pk, email, active, track, enrolled in rows
    }


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


def _plan_items(
    job: MembershipJob, request: JobRequest, *, default: OfferedTrack | None, offered: set[str]
) -> dict[str, int]:
    entries = request.entries
    seen: set[str] = set()
    kinds: list[str] = []
    for entry in entries:
        key = entry.identifier.lower()
        if key in seen:
            kinds.append(ItemKind.DUPLICATE)
            continue
        seen.add(key)
        kinds.append(_classify(entry.identifier))
    by_username = _users_by(
        job.course,
        "username",
        {e.identifier.lower() for e, k in zip(entries, kinds, strict=True) if k == ItemKind.USER},
    )
    by_email = _users_by(
        job.course,
        "email",
        {e.identifier.lower() for e, k in zip(entries, kinds, strict=True) if k == ItemKind.EMAIL},
    )
    invitation_emails = [
        e.identifier for e, k in zip(entries, kinds, strict=True) if k == ItemKind.EMAIL
    ]
    invited = invitations_state(job.course, invitation_emails) if invitation_emails else {}
    counts: Counter[str] = Counter()
    rows: list[list[object]] = []
    seen_users: set[int] = set()  # a learner named twice (username and email) counts once
    for position, (entry, kind) in enumerate(zip(entries, kinds, strict=True)):
        key = entry.identifier.lower()
        user = by_username.get(key) if kind == ItemKind.USER else by_email.get(key)
        if kind == ItemKind.USER and user is None:
            kind = ItemKind.UNKNOWN
        if user is not None:
            # As Open edX: enroll acts on an active account and invites the email of an
            # inactive one (enrolled once activated); unenroll and change of track act on the
            # account's enrollment whether it is active or not, by username or by email.
            active = user.is_active
            kind = ItemKind.USER if active or job.action != JobAction.ENROLL else ItemKind.EMAIL
            if user.id in seen_users:
                kind, user = ItemKind.DUPLICATE, None
            else:
                seen_users.add(user.id)
        plan, detail = _plan_one(
            job,
            request,
            kind=kind,
            entry=entry,
            user=user,
            invited=invited,
            default=default,
            offered=offered,
        )
        counts[plan] += 1
        if plan == o.WILL_CHANGE:
            counts[f"{o.WILL_CHANGE}:{detail}"] += 1
        rows.append(
            [
                job.pk,
                position,
                entry.identifier[:320],
                kind,
                user.id if user else None,
                (user.email if user else (entry.identifier if kind == ItemKind.EMAIL else "")),
                # A row's own track applies to enroll only: the plan of a change of track
                # reads the job's target, and the run must apply what the plan showed.
                entry.track if job.action == JobAction.ENROLL else "",
                plan,
                detail,
            ]
        )
    bulk.insert_rows(
        ITEM_TABLE,
        [
            "job_id",
            "position",
            "identifier",
            "kind",
            "user_id",
            "email",
            "requested_track",
            "plan",
            "plan_detail",
        ],
        rows,
        plain=True,
    )
    return dict(counts)


def _plan_one(
    job: MembershipJob,
    request: JobRequest,
    *,
    kind: str,
    entry: Entry,
    user: _Found | None,
    invited: dict[str, InvitationState],
    default: OfferedTrack | None,
    offered: set[str],
) -> tuple[str, str]:
    """(plan bucket, detail) for one identifier; pure apart from the lookups passed in."""
    if kind == ItemKind.DUPLICATE:
        return o.DUPLICATE, ""
    if kind == ItemKind.INVALID:
        detail = "looks like a spreadsheet formula" if looks_like_formula(entry.identifier) else ""
        return o.INVALID_IDENTIFIER, detail
    if kind == ItemKind.UNKNOWN:
        return o.UNKNOWN_USER, ""
    track, active = (user.track, user.enrolled) if user else ("", False)
    if job.action == JobAction.ENROLL:
        wanted = entry.track or job.to_track or (default.slug if default else "")
        if entry.track and entry.track not in offered:
            return o.TRACK_NOT_OFFERED, entry.track
        if kind == ItemKind.EMAIL:
            return o.WILL_INVITE, "auto-enroll" if job.auto_enroll else "allowed to enroll"
        if active:
            return o.ALREADY_ENROLLED, track
        return o.WILL_ENROLL, wanted
    if job.action == JobAction.UNENROLL:
        if kind == ItemKind.EMAIL:
            state = invited.get(entry.identifier.lower())
            exists = state is not None and state.exists
            return (o.WILL_UNENROLL, "invitation withdrawn") if exists else (o.NOT_ENROLLED, "")
        return (o.WILL_UNENROLL, track) if active else (o.NOT_ENROLLED, "")
    if kind == ItemKind.EMAIL:
        return o.UNKNOWN_USER, ""
    if not active:
        return o.NOT_ENROLLED, ""
    if track == job.to_track:
        return o.ALREADY_ON, track
    if job.from_track and track != job.from_track:
        return o.NOT_ON_FROM_TRACK, track
    return o.WILL_CHANGE, f"{track}→{job.to_track}"
