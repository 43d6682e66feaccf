"""Enrollment writes. Each owns its transaction, takes row locks in one order (course, then
enrollment), writes one audit row per change and sends events after commit."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.enrollments import events, policy
from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAttribute,
    EnrollmentAudit,
    Invitation,
    Transition,
)
from enrollment_tracks.enrollments.types import AttributeInput, EnrollmentResult
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track, course_track_find
from enrollment_tracks.tracks.types import OfferedTrack

ROLE_LEARNER = "learner"
ROLE_GLOBAL_STAFF = "global_staff"
ROLE_SYSTEM = "system"


# ---------------------------------------------------------------------------- helpers


def actor_role(actor: User | None, course: CourseRun, learner: User | None = None) -> str:
    """The actor's role for the audit trail: course role, global staff, learner or system."""
    if actor is None:
        return ROLE_SYSTEM
    roles = sorted(
        CourseAccessRole.objects.filter(user_id=actor.pk, course_id=course.pk).values_list(
            "role", flat=True
        )
    )
    if roles:
        return roles[0]
    if actor.is_staff:
        return ROLE_GLOBAL_STAFF
    return ROLE_LEARNER


def _user_data(user: User) -> events.UserData:
    return events.UserData(
        id=user.pk,
        is_active=user.is_active,
        pii=events.UserPersonalData(
            username=user.username, email=user.email, name=user.display_name
        ),
    )


def enrollment_event_data(
    enrollment: Enrollment, learner: User, actor: User | None
) -> events.CourseEnrollmentData:
    course = enrollment.course
    return events.CourseEnrollmentData(
        user=_user_data(learner),
        course=events.CourseData(
            course_key=course.key, display_name=course.title, start=course.start, end=course.end
        ),
        mode=enrollment.track,
        is_active=enrollment.is_active,
        creation_date=enrollment.created,
        created_by=_user_data(actor) if actor is not None else None,
    )


def _audit(
    *,
    course: CourseRun,
    enrollment: Enrollment | None,
    learner: User | None,
    email: str,
    actor: User | None,
    role: str,
    now: dt.datetime,
    transition: Transition,
    track_before: str,
    track_after: str,
    reason: str,
    batch_job_id: uuid.UUID | None,
) -> EnrollmentAudit:
    return EnrollmentAudit.objects.create(
        course=course,
        enrollment=enrollment,
        learner=learner,
        email=email,
        actor=actor,
        role=role,
        created_at=now,
        transition=transition,
        track_before=track_before,
        track_after=track_after,
        reason=reason.strip(),
        batch_job_id=batch_job_id,
    )


def _invitation_valid_for(learner: User, course: CourseRun) -> Invitation | None:
    """An invitation for the learner's email not consumed by someone else (``valid_for_user``)."""
    invitation = Invitation.objects.filter(course=course, email__iexact=learner.email).first()
    if invitation is None or invitation.user_id not in (None, learner.pk):
        return None
    return invitation


def _locked_enrollment(learner: User, course: CourseRun) -> Enrollment | None:
    """The learner's enrollment in the course, row-locked, or ``None``. Caller holds the
    transaction.

    Ordered by id, not by the model's default ordering: that one sorts by the course's key,
    which joins the course, and ``FOR UPDATE`` would then lock the course's row as well,
    making every enrollment write in the course wait for the others.
    """
    return (
        Enrollment.objects.select_for_update()
        .filter(user=learner, course=course)
        .order_by("pk")
        .first()
    )


def _lock_enrollment(
    learner: User, course: CourseRun, *, track: str, now: dt.datetime
) -> tuple[Enrollment, bool]:
    """Get the (learner, course) row locked, creating it if missing: (row, created).

    A created row is already the enrollment wanted (active on ``track``), which saves an update;
    the caller's checks still run after this, and a refusal rolls the insert back with the
    caller's transaction. Two simultaneous requests create one row: the loser's insert fails on
    the unique constraint inside a savepoint and it locks the winner's row instead. Caller holds
    the transaction.
    """
    row = _locked_enrollment(learner, course)
    if row is not None:
        return row, False
    try:
        with transaction.atomic():
            row = Enrollment.objects.create(
                user=learner, course=course, track=track, is_active=True, created=now, updated=now
            )
            return row, True
    except IntegrityError:
        return Enrollment.objects.select_for_update().get(user=learner, course=course), False


def _resolve_requested_track(
    course: CourseRun, slug: str, *, include_expired: bool
) -> OfferedTrack:
    spec = catalog.track_spec(slug, field="track")
    track = course_track_find(course, spec.slug, include_expired=include_expired)
    if track is None:
        raise ValidationFailed(
            f"This course does not offer the {spec.display_name} track.",
            code="track_not_offered",
            field="track",
        )
    return track


def _default_track_or_refuse(default: OfferedTrack | None) -> OfferedTrack:
    if default is None:
        raise ValidationFailed(
            "This course has no free track: enrollment needs a payment or the course team.",
            code="no_free_track",
            field="track",
        )
    return default


def _active_learner_count(course: CourseRun, *, besides: User) -> int:
    """Active learners of the course (the course team not counted), other than ``besides``."""
    team = CourseAccessRole.objects.filter(course=course).values("user_id")
    return (
        Enrollment.objects.filter(course=course, is_active=True)
        .exclude(user_id__in=team)
        .exclude(user_id=besides.pk)
        .count()
    )


def _role(actor: User | None, course: CourseRun, *, privileged: bool) -> str:
    """`actor_role`, without a query for an actor who is not privileged: neither course team
    nor global staff, hence a learner."""
    return actor_role(actor, course) if privileged else ROLE_LEARNER


# ---------------------------------------------------------------------------- services


def enrollment_create(
    *,
    actor: User | None,
    learner: User,
    course: CourseRun,
    track: str | None = None,
    reason: str = "",
    batch_job_id: uuid.UUID | None = None,
    transition: Transition | None = None,
) -> EnrollmentResult:
    """Enroll ``learner`` in ``course`` (or re-activate their enrollment), idempotently.

    Without ``track`` a new or re-activated enrollment lands on the course's default track and
    an active one stays where it is. A learner acting for themselves may pick a free,
    self-selectable track or the default, inside the enrollment window, within capacity, and
    in an invitation-only course only when invited. The course team (``actor`` who may manage
    the course, or ``actor=None`` for the system) may use any track the course offers, expired
    ones included, a reason being required for a paid one; the window, capacity and
    invitation-only rules do not bind them.
    """
    privileged = actor is None or can_manage_course(actor, course)
    if not privileged and (actor is None or actor.pk != learner.pk):
        raise PermissionDenied("You can only enroll yourself.", code="not_course_staff")
    requested = (
        _resolve_requested_track(course, track, include_expired=privileged) if track else None
    )
    now = clock.now()
    with transaction.atomic():
        invitation = _invitation_valid_for(learner, course)
        if not privileged and invitation is None and course.max_enrollments is not None:
            CourseRun.objects.select_for_update().filter(pk=course.pk).first()
        default = None if privileged and requested else course_default_track(course)
        target = requested or _default_track_or_refuse(default)
        if privileged:
            policy.check_staff_reason(track=target, reason=reason)
        else:
            policy.check_learner_may_choose(track=target, default=default)
        row, created = _lock_enrollment(learner, course, track=target.slug, now=now)
        was_active = row.is_active and not created
        if was_active and (requested is None or row.track == requested.slug):
            return EnrollmentResult(enrollment=row, created=False, changed=False)
        if not was_active and not privileged and invitation is None:
            policy.check_enrollment_open(course=course, now=now)
            policy.check_invitation_only(course=course, invited=False)
            if course.max_enrollments is not None:  # counting is the costly part
                policy.check_capacity(
                    course=course, active_learners=_active_learner_count(course, besides=learner)
                )
        track_before = "" if created else row.track
        if not created:  # a created row is already active on the target track
            row.track = target.slug
            row.is_active = True
            row.updated = now
            row.save(update_fields=["track", "is_active", "updated"])
        if invitation is not None and invitation.user_id is None:
            invitation.user = learner
            invitation.save(update_fields=["user"])
        _audit(
            course=course,
            enrollment=row,
            learner=learner,
            email=learner.email,
            actor=actor,
            role=_role(actor, course, privileged=privileged),
            now=now,
            transition=transition
            or (
                Transition.ENROLLED_TO_ENROLLED if was_active else Transition.UNENROLLED_TO_ENROLLED
            ),
            track_before=track_before,
            track_after=row.track,
            reason=reason,
            batch_job_id=batch_job_id,
        )
        data = enrollment_event_data(row, learner, actor)
        events.send_after_commit(events.enrollment_changed, data)
        if not was_active:
            events.send_after_commit(events.enrollment_created, data)
    return EnrollmentResult(enrollment=row, created=created, changed=True)


def enrollment_unenroll(
    *,
    actor: User | None,
    learner: User,
    course: CourseRun,
    reason: str = "",
    batch_job_id: uuid.UUID | None = None,
) -> EnrollmentResult:
    """Deactivate the enrollment; the row, its track, dates and history stay."""
    privileged = actor is None or can_manage_course(actor, course)
    if not privileged and (actor is None or actor.pk != learner.pk):
        raise PermissionDenied("You can only unenroll yourself.", code="not_course_staff")
    now = clock.now()
    with transaction.atomic():
        row = _locked_enrollment(learner, course)
        if row is None or not row.is_active:
            who = "You are" if actor is not None and actor.pk == learner.pk else "This learner is"
            raise ValidationFailed(f"{who} not enrolled in this course.", code="not_enrolled")
        row.is_active = False
        row.updated = now
        row.save(update_fields=["is_active", "updated"])
        _audit(
            course=course,
            enrollment=row,
            learner=learner,
            email=learner.email,
            actor=actor,
            role=_role(actor, course, privileged=privileged),
            now=now,
            transition=Transition.ENROLLED_TO_UNENROLLED,
            track_before=row.track,
            track_after=row.track,
            reason=reason,
            batch_job_id=batch_job_id,
        )
        data = enrollment_event_data(row, learner, actor)
        events.send_after_commit(events.enrollment_changed, data)
        events.send_after_commit(events.unenrollment_completed, data)
    return EnrollmentResult(enrollment=row, created=False, changed=True)


def enrollment_change_track(
    *,
    actor: User | None,
    learner: User,
    course: CourseRun,
    track: str,
    reason: str = "",
    batch_job_id: uuid.UUID | None = None,
) -> EnrollmentResult:
    """Move an existing enrollment (active or not) to another track the course offers.

    The course team may use any offered track (a reason is required for a paid one); a learner
    may move themselves only between tracks they could pick when enrolling.
    """
    privileged = actor is None or can_manage_course(actor, course)
    if not privileged and (actor is None or actor.pk != learner.pk):
        raise PermissionDenied(
            "Only the course team can change another learner's track.", code="not_course_staff"
        )
    target = _resolve_requested_track(course, track, include_expired=privileged)
    if privileged:
        policy.check_staff_reason(track=target, reason=reason)
    else:
        policy.check_learner_may_choose(track=target, default=course_default_track(course))
    now = clock.now()
    with transaction.atomic():
        row = _locked_enrollment(learner, course)
        if row is None:
            raise NotFound("This learner has never enrolled in this course.", code="not_enrolled")
        if row.track == target.slug:
            return EnrollmentResult(enrollment=row, created=False, changed=False)
        track_before = row.track
        row.track = target.slug
        row.updated = now
        row.save(update_fields=["track", "updated"])
        _audit(
            course=course,
            enrollment=row,
            learner=learner,
            email=learner.email,
            actor=actor,
            role=_role(actor, course, privileged=privileged),
            now=now,
            transition=(
                Transition.ENROLLED_TO_ENROLLED
                if row.is_active
                else Transition.UNENROLLED_TO_UNENROLLED
            ),
            track_before=track_before,
            track_after=row.track,
            reason=reason,
            batch_job_id=batch_job_id,
        )
        events.send_after_commit(
            events.enrollment_changed, enrollment_event_data(row, learner, actor)
        )
    return EnrollmentResult(enrollment=row, created=False, changed=True)


def _invitation_exists(email: str) -> Conflict:
    return Conflict(
        f"{email} is already invited to this course.", code="invitation_exists", field="email"
    )


def invitation_create(
    *,
    actor: User | None,
    course: CourseRun,
    email: str,
    auto_enroll: bool,
    reason: str = "",
    exclusive: bool = False,
) -> Invitation:
    """Allow an email to enroll (and, with ``auto_enroll``, enroll it on registration).

    ``actor`` must manage the course (``None``: the system, e.g. a service client). An email
    already invited gets its ``auto_enroll`` updated, unless ``exclusive``: then it is refused
    with ``Conflict`` (``invitation_exists``), even when a simultaneous request won the race.
    """
    if actor is not None and not can_manage_course(actor, course):
        raise PermissionDenied("Only the course team can invite learners.", code="not_course_staff")
    email = email.strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            f"“{email}” is not a valid email address.", code="invalid_email", field="email"
        ) from None
    now = clock.now()
    with transaction.atomic():
        invitation = Invitation.objects.filter(course=course, email__iexact=email).first()
        if invitation is not None and exclusive:
            raise _invitation_exists(email)
        if invitation is not None:
            if invitation.auto_enroll != auto_enroll:
                invitation.auto_enroll = auto_enroll
                invitation.save(update_fields=["auto_enroll"])
            return invitation
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    course=course, email=email, auto_enroll=auto_enroll, created_by=actor
                )
        except IntegrityError:  # a simultaneous request invited the same email first
            if exclusive:
                raise _invitation_exists(email) from None
            return Invitation.objects.get(course=course, email__iexact=email)
        _audit(
            course=course,
            enrollment=None,
            learner=None,
            email=email,
            actor=actor,
            role=actor_role(actor, course),
            now=now,
            transition=Transition.UNENROLLED_TO_ALLOWEDTOENROLL,
            track_before="",
            track_after="",
            reason=reason,
            batch_job_id=None,
        )
    return invitation


def invitation_delete(*, actor: User | None, invitation: Invitation, reason: str = "") -> None:
    """Withdraw an invitation. ``actor`` must manage the course (``None``: the system)."""
    course = invitation.course
    if actor is not None and not can_manage_course(actor, course):
        raise PermissionDenied(
            "Only the course team can withdraw invitations.", code="not_course_staff"
        )
    with transaction.atomic():
        _audit(
            course=course,
            enrollment=None,
            learner=invitation.user,
            email=invitation.email,
            actor=actor,
            role=actor_role(actor, course),
            now=clock.now(),
            transition=Transition.ALLOWEDTOENROLL_TO_UNENROLLED,
            track_before="",
            track_after="",
            reason=reason,
            batch_job_id=None,
        )
        invitation.delete()


def enrollment_attributes_set(
    *, enrollment: Enrollment, attributes: Sequence[AttributeInput]
) -> list[EnrollmentAttribute]:
    """Replace all of the enrollment's attributes with ``attributes`` (Open edX's
    ``add_enrollment_attr``); for a (namespace, name) given twice the last value wins.

    Each part is at most 255 characters (``ValidationFailed``, ``invalid_attribute``). Who may
    attach attributes is the caller's decision (the Enrollment API lets privileged callers only).
    """
    latest: dict[tuple[str, str], AttributeInput] = {}
    for attribute in attributes:
        for part in ("namespace", "name", "value"):
            if len(getattr(attribute, part)) > 255:
                raise ValidationFailed(
                    f"An enrollment attribute's {part} has at most 255 characters.",
                    code="invalid_attribute",
                    field="enrollment_attributes",
                )
        latest[(attribute.namespace, attribute.name)] = attribute
    with transaction.atomic():
        EnrollmentAttribute.objects.filter(enrollment=enrollment).delete()
        return EnrollmentAttribute.objects.bulk_create(
            EnrollmentAttribute(
                enrollment=enrollment,
                namespace=attribute.namespace,
                name=attribute.name,
                value=attribute.value,
            )
            for attribute in latest.values()
        )


def invitations_redeem(*, user: User) -> list[EnrollmentResult]:
    """Enroll an active user in every course that auto-enroll-invited their email.

    Each lands on the course's default track (skipped when the course has none) with the audit
    transition "from allowed to enroll to enrolled", carrying the inviter and reason of the
    invitation's audit row. Already-enrolled learners just get the invitation linked.
    """
    if not user.is_active or not user.email:
        return []
    results: list[EnrollmentResult] = []
    invitations = Invitation.objects.filter(
        email__iexact=user.email, auto_enroll=True
    ).select_related("course")
    for invitation in invitations:
        if invitation.user_id not in (None, user.pk):
            continue
        course = invitation.course
        if Enrollment.objects.filter(user=user, course=course, is_active=True).exists():
            if invitation.user_id is None:
                Invitation.objects.filter(pk=invitation.pk, user__isnull=True).update(user=user)
            continue
        if course_default_track(course) is None:
            continue
        origin = (
            EnrollmentAudit.objects.filter(course=course, email__iexact=user.email)
            .exclude(transition=Transition.DEFAULT)
            .order_by("-created_at", "-id")
            .first()
        )
        # The inviter is recorded as the actor while they still manage the course.
        inviter = origin.actor if origin is not None else None
        if inviter is not None and not can_manage_course(inviter, course):
            inviter = None
        results.append(
            enrollment_create(
                actor=inviter,
                learner=user,
                course=course,
                reason=origin.reason if origin else "",
                transition=Transition.ALLOWEDTOENROLL_TO_ENROLLED,
            )
        )
    return results
