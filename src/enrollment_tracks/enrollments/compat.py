"""Open edX's POST `/api/enrollment/v1/enrollment`, over our enrollment services.

Open edX checks the body one field at a time, in an order its clients observe, and answers each
refusal with its own status and message (reference section 4.4). :func:`enrollment_post` keeps
that order:

1. the course id (missing or unparsable: 400);
2. naming another user (``user`` or ``email``) needs a privileged caller (else 404, empty);
3. a learner may ask only for a free track they may choose themselves (else 403);
4. the user must exist (406); ``is_active`` and ``force_enrollment`` must be JSON booleans;
5. a privileged caller changing an existing enrollment's track or activity *updates* it;
   everyone else *creates or re-activates*, and an active enrollment is answered unchanged.

Every write goes through `enrollments.services` inside one transaction, so the audit rows and
events of a request commit together. A privileged caller's writes carry a reason naming the
caller (`ApiCaller.label`), the order number of the ``order:order_number`` attribute and the
optional ``reason``: paid tracks placed without a payment here are always traceable.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.accounts.selectors import user_find_by_email, user_find_by_username
from enrollment_tracks.api.callers import ApiCaller
from enrollment_tracks.api.permissions import is_global_staff, is_privileged_for_enrollments
from enrollment_tracks.core.errors import DomainError, NotFound, ValidationFailed
from enrollment_tracks.courses.keys import course_key_parse
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.enrollments import api_compat as answers
from enrollment_tracks.enrollments import services
from enrollment_tracks.enrollments.models import Enrollment
from enrollment_tracks.enrollments.selectors import enrollment_get
from enrollment_tracks.enrollments.serializers import course_details_data, course_details_of
from enrollment_tracks.enrollments.types import AttributeInput
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track, course_track_find

logger = logging.getLogger(__name__)

#: Attributes a track needs when attributes are sent (Open edX's ``REQUIRED_ATTRIBUTES``).
REQUIRED_ATTRIBUTES: dict[str, list[str]] = {catalog.CREDIT: ["credit:provider_id"]}
ORDER_NUMBER = ("order", "order_number")
ATTRIBUTE_MAX_LENGTH = 255  # the columns' length


@dataclass(frozen=True, slots=True)
class PostContext:
    """What the checks established, for the writes."""

    caller: ApiCaller
    privileged: bool
    learner: User
    course: CourseRun
    mode: Any  # as sent: Open edX formats it into its messages, whatever its type
    is_active: bool | None
    forced: bool
    attributes: tuple[AttributeInput, ...] | None
    reason: str


def learner_may_request(mode: object) -> bool:
    """Open edX lets a learner name only audit or honor: the free tracks learners choose."""
    spec = catalog.CATALOG.get(mode) if isinstance(mode, str) else None
    return spec is not None and spec.self_selectable and not spec.is_paid


def _course_key(body: Mapping[str, Any]) -> str:
    details = body.get("course_details")
    raw = details.get("course_id") if isinstance(details, Mapping) else None
    if not raw:
        raise answers.course_id_missing()
    if not isinstance(raw, str):
        raise answers.no_course_for_enrollment(raw)
    try:
        return str(course_key_parse(raw))
    except ValidationFailed:
        raise answers.no_course_for_enrollment(raw) from None


def _learner(body: Mapping[str, Any], caller: ApiCaller, privileged: bool) -> User | str:
    """The learner found by ``email``, or the username to look up (check 2)."""
    requester = caller.user.username if caller.user else ""
    username = body.get("user")
    if username and str(username) != requester and not privileged:
        raise answers.hidden()
    if username:
        return str(username)
    email = body.get("email")
    if not email:
        return requester
    if not privileged:
        raise answers.hidden()
    user = user_find_by_email(str(email))
    if user is None:
        raise answers.unknown_email(email)
    return user


def _attributes(raw: object) -> tuple[AttributeInput, ...] | None:
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    parsed: list[AttributeInput] = []
    for item in items:
        values: dict[str, str] = {}
        for part in ("namespace", "name", "value"):
            value = item.get(part) if isinstance(item, Mapping) else None
            if value is None or isinstance(value, dict | list):
                raise answers.invalid_attribute(f"'{part}' not in enrollment attribute")
            if len(str(value)) > ATTRIBUTE_MAX_LENGTH:
                raise answers.invalid_attribute(
                    f"An enrollment attribute's {part} has at most "
                    f"{ATTRIBUTE_MAX_LENGTH} characters."
                )
            values[part] = str(value)
        parsed.append(AttributeInput(**values))
    return tuple(parsed)


def _audit_reason(
    caller: ApiCaller, body: Mapping[str, Any], attributes: tuple[AttributeInput, ...] | None
) -> str:
    """``Enrollment API (jwt:shop): order EDX-1234; <reason>`` for the audit trail."""
    order = next(
        (item.value for item in attributes or () if (item.namespace, item.name) == ORDER_NUMBER),
        "",
    )
    given = body.get("reason")
    details = [f"order {order}"] if order else []
    details += [given.strip()] if isinstance(given, str) and given.strip() else []
    label = f"Enrollment API ({caller.label})"
    return f"{label}: {'; '.join(details)}" if details else label


def _context(caller: ApiCaller, body: Mapping[str, Any]) -> PostContext:
    course_key = _course_key(body)
    privileged = is_privileged_for_enrollments(caller)
    found = _learner(body, caller, privileged)
    mode = body.get("mode")
    if mode is not None and not privileged and not learner_may_request(mode):
        raise answers.mode_refused(mode)
    if isinstance(found, User):
        learner: User | None = found
    elif caller.user is not None and found == caller.user.username:
        learner = caller.user
    else:
        learner = user_find_by_username(found)
    if learner is None:
        raise answers.unknown_user(found)
    is_active = body.get("is_active")
    if is_active is not None and not isinstance(is_active, bool):
        raise answers.invalid_activation(is_active)
    force = body.get("force_enrollment")
    if force is not None and not isinstance(force, bool):
        raise answers.invalid_force(force)
    try:
        course = course_get(course_key)
    except NotFound:
        raise answers.no_course_for_enrollment(course_key) from None
    # Attributes are stored for privileged callers only: a learner cannot attach an order.
    attributes = _attributes(body.get("enrollment_attributes")) if privileged else None
    if body.get("cohort") is not None:
        raise answers.cohort_error(body.get("cohort"))
    return PostContext(
        caller=caller,
        privileged=privileged,
        learner=learner,
        course=course,
        mode=mode,
        is_active=is_active,
        forced=bool(force) and is_global_staff(caller),
        attributes=attributes,
        reason=_audit_reason(caller, body, attributes) if privileged else "",
    )


def _require_offered(ctx: PostContext, slug: object, *, include_expired: bool) -> None:
    """Open edX's ``validate_course_mode``: 400 with the course's modes when not offered."""
    found = isinstance(slug, str) and (
        course_track_find(ctx.course, slug, include_expired=include_expired) is not None
    )
    if not found:
        raise answers.mode_unavailable(ctx.mode, ctx.course.key, _details(ctx, include_expired))


def _details(ctx: PostContext, include_expired: bool) -> dict[str, Any]:
    return course_details_data(course_details_of(ctx.course, include_expired=include_expired))


def _actor(ctx: PostContext) -> User | None:
    """A privileged service client acts as the system; a person acts as themselves."""
    return None if ctx.privileged and ctx.caller.is_client else ctx.caller.user


def _update(ctx: PostContext, existing: Enrollment) -> tuple[Enrollment, bool]:
    """Privileged update of an existing enrollment (Open edX's ``update_enrollment``); the
    caller checked that the track or the activity changes."""
    mode_changed = ctx.mode is not None and ctx.mode != existing.track
    if mode_changed and ctx.is_active is False and existing.is_active:
        raise answers.mode_mismatch(existing.track, ctx.mode)
    required = REQUIRED_ATTRIBUTES.get(ctx.mode, []) if isinstance(ctx.mode, str) else []
    given = {f"{item.namespace}:{item.name}" for item in ctx.attributes or ()}
    if ctx.attributes and set(required) - given:
        raise answers.missing_attributes(ctx.mode, required)
    if ctx.mode is not None:
        # Expired tracks: for service clients (Open edX: the API key) and deactivations.
        include_expired = ctx.caller.is_client or ctx.is_active is False
        _require_offered(ctx, ctx.mode, include_expired=include_expired)
    actor, learner, course, reason = _actor(ctx), ctx.learner, ctx.course, ctx.reason
    if ctx.is_active is False and existing.is_active:
        result = services.enrollment_unenroll(
            actor=actor, learner=learner, course=course, reason=reason
        )
    elif ctx.is_active is True and not existing.is_active:
        track = ctx.mode if ctx.mode is not None else existing.track
        result = services.enrollment_create(
            actor=actor, learner=learner, course=course, track=track, reason=reason
        )
    else:
        result = services.enrollment_change_track(
            actor=actor, learner=learner, course=course, track=ctx.mode, reason=reason
        )
    return result.enrollment, True


def _add(ctx: PostContext, existing: Enrollment | None) -> tuple[Enrollment, bool]:
    """Create or re-activate (Open edX's ``add_enrollment``): (the enrollment, written).

    An active enrollment is answered as it is (the requested mode ignored), and an inactive one
    is not deactivated again.
    """
    include_expired = ctx.is_active is False or ctx.forced
    if ctx.mode is not None:
        _require_offered(ctx, ctx.mode, include_expired=include_expired)
    elif course_default_track(ctx.course) is None:
        raise answers.mode_unavailable(None, ctx.course.key, _details(ctx, include_expired))
    if existing is not None and (existing.is_active or ctx.is_active is False):
        return existing, False
    actor, learner, course, reason = _actor(ctx), ctx.learner, ctx.course, ctx.reason
    result = services.enrollment_create(
        actor=actor, learner=learner, course=course, track=ctx.mode, reason=reason
    )
    if ctx.is_active is False:
        # Open edX enrolls, then deactivates: an inactive enrollment on the requested mode.
        result = services.enrollment_unenroll(
            actor=actor, learner=learner, course=course, reason=reason
        )
    return result.enrollment, True


def enrollment_post(*, caller: ApiCaller, body: object) -> Enrollment:
    """Create, re-activate or update an enrollment as Open edX's POST does; the enrollment.

    Raises `api_compat.OpenEdxAnswer` with Open edX's status and message for every refusal.
    """
    ctx = _context(caller, body if isinstance(body, Mapping) else {})
    try:
        with transaction.atomic():
            existing = enrollment_get(learner=ctx.learner, course=ctx.course)
            changes = existing is not None and (
                (ctx.mode is not None and ctx.mode != existing.track)
                or (ctx.is_active is not None and ctx.is_active != existing.is_active)
            )
            if ctx.privileged and existing is not None and changes:
                enrollment, written = _update(ctx, existing)
            else:
                enrollment, written = _add(ctx, existing)
            if written and ctx.attributes is not None:
                services.enrollment_attributes_set(enrollment=enrollment, attributes=ctx.attributes)
    except answers.OpenEdxAnswer:
        raise
    except DomainError as error:  # a service's refusal, in Open edX's words
        raise answers.post_refusal(
            error,
            username=ctx.learner.username,
            course_id=ctx.course.key,
            mode=ctx.mode,
            details=_details(ctx, ctx.is_active is False or ctx.forced),
        ) from None
    # Rendering reads both; the checks loaded them already.
    enrollment.user, enrollment.course = ctx.learner, ctx.course
    if ctx.caller.is_client:
        logger.info(
            "enrollment_change_requested caller=%s user_id=%s course_id=%s requested_mode=%s "
            "actual_mode=%s requested_activation=%s actual_activation=%s",
            ctx.caller.label,
            ctx.learner.pk,
            ctx.course.key,
            ctx.mode,
            enrollment.track,
            ctx.is_active,
            enrollment.is_active,
        )
    return enrollment
