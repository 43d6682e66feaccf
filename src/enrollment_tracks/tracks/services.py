"""Writes to a course's tracks. Each checks against the catalog and the site configuration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import Conflict, DomainError, ValidationFailed
from enrollment_tracks.core.money import amount_parse, currency_normalise
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.availability import (
    ECOMMERCE_SETTING,
    IDV_SETTING,
    requires_payment,
)
from enrollment_tracks.tracks.models import (
    CourseTrack,
    CourseTrackHistory,
    CourseVerificationDeadline,
    TrackChange,
)
from enrollment_tracks.tracks.selectors import course_tracks_forget
from enrollment_tracks.tracks.types import KEEP, Keep, TrackInput, TracksReplaced


def course_track_check(
    *, course: CourseRun, data: TrackInput, existing: CourseTrack | None = None
) -> TrackInput:
    """Validate ``data`` for ``course``; return it cleaned (names, currency, price).

    Raises ``ValidationFailed`` or ``Conflict`` with a stable code and the field concerned.
    ``existing`` is the row being edited: its slug cannot change, and a paid track that already
    exists may be edited while e-commerce is off (only adding one is refused).
    """
    if existing is not None and data.slug != existing.slug:
        raise ValidationFailed(
            "A track's type cannot change; remove it and add the other one.",
            code="slug_immutable",
            field="slug",
        )
    spec = catalog.track_spec(data.slug)
    site = site_configuration_get()
    price = amount_parse(data.price, field="price")
    currency = currency_normalise(data.currency or site.default_currency, field="currency")
    if price < spec.minimum_price:
        raise ValidationFailed(
            spec.minimum_price_message, code="price_below_minimum", field="price"
        )
    if data.upgrade_deadline is not None and not spec.may_have_upgrade_deadline:
        raise ValidationFailed(
            f"Only tracks that learners upgrade to can have an upgrade deadline; "
            f"{spec.display_name} cannot. Close enrollment with the course's enrollment end "
            "date instead.",
            code="deadline_not_allowed",
            field="upgrade_deadline",
        )
    if data.upgrade_deadline_is_explicit and data.upgrade_deadline is None:
        raise ValidationFailed(
            "Give an upgrade deadline before locking it.",
            code="deadline_required",
            field="upgrade_deadline",
        )
    if data.upgrade_deadline and course.end and data.upgrade_deadline > course.end:
        raise ValidationFailed(
            "The upgrade deadline must be on or before the course's end.",
            code="deadline_after_course_end",
            field="upgrade_deadline",
        )
    becomes_paid = requires_payment(spec, price) and (
        existing is None or not requires_payment(spec, existing.price)
    )
    if becomes_paid and not site.ecommerce_enabled:
        raise ValidationFailed(
            f"{spec.display_name} is a paid track: enable e-commerce for the site first "
            f"({ECOMMERCE_SETTING}).",
            code="ecommerce_disabled",
            field="price" if not spec.is_paid else "slug",
        )
    if existing is None and spec.needs_id_verification and not site.id_verification_enabled:
        raise ValidationFailed(
            f"{spec.display_name} needs ID verification: enable it for the site first "
            f"({IDV_SETTING}).",
            code="id_verification_disabled",
            field="slug",
        )
    duplicates = CourseTrack.objects.filter(course=course, slug=spec.slug, currency=currency)
    if existing is not None:
        duplicates = duplicates.exclude(pk=existing.pk)
    if duplicates.exists():
        raise Conflict(
            f"This course already offers {spec.display_name} in {currency.upper()}.",
            code="duplicate_track",
            field="slug",
        )
    return replace(
        data,
        display_name=(data.display_name.strip() or spec.display_name),
        price=price,
        currency=currency,
        description=data.description.strip(),
        sku=data.sku.strip(),
        bulk_sku=data.bulk_sku.strip(),
    )


def _snapshot(track: CourseTrack) -> dict[str, Any]:
    return {
        "slug": track.slug,
        "display_name": track.display_name,
        "price": str(track.price),
        "currency": track.currency,
        "upgrade_deadline": track.upgrade_deadline.isoformat() if track.upgrade_deadline else None,
        "upgrade_deadline_is_explicit": track.upgrade_deadline_is_explicit,
        "description": track.description,
        "sku": track.sku,
        "bulk_sku": track.bulk_sku,
        "is_pinned_default": track.is_pinned_default,
    }


def _history(track: CourseTrack, change: TrackChange, actor: User | None) -> None:
    """Record a change of the track (every track write calls this)."""
    course_tracks_forget(track.course_id)
    CourseTrackHistory.objects.create(
        course_id=track.course_id,
        slug=track.slug,
        change=change,
        actor=actor,
        snapshot=_snapshot(track),
    )


def _lock_course(course: CourseRun) -> None:
    CourseRun.objects.select_for_update().filter(pk=course.pk).first()


def _apply(track: CourseTrack, data: TrackInput) -> None:
    track.display_name = data.display_name
    track.price = data.price
    track.currency = data.currency
    track.upgrade_deadline = data.upgrade_deadline
    track.upgrade_deadline_is_explicit = data.upgrade_deadline_is_explicit
    track.description = data.description
    track.sku = data.sku
    track.bulk_sku = data.bulk_sku


def course_track_create(*, actor: User | None, course: CourseRun, data: TrackInput) -> CourseTrack:
    with transaction.atomic():
        _lock_course(course)
        cleaned = course_track_check(course=course, data=data)
        track = CourseTrack(course=course, slug=cleaned.slug)
        _apply(track, cleaned)
        track.save()
        _history(track, TrackChange.ADDED, actor)
    return track


def course_track_update(*, actor: User | None, track: CourseTrack, data: TrackInput) -> CourseTrack:
    with transaction.atomic():
        _lock_course(track.course)
        current = CourseTrack.objects.select_for_update().get(pk=track.pk)
        cleaned = course_track_check(course=track.course, data=data, existing=current)
        _apply(current, cleaned)
        current.save()
        _history(current, TrackChange.UPDATED, actor)
    return current


def course_track_delete(*, actor: User | None, track: CourseTrack) -> None:
    """Stop offering a track. Enrollments on it stay on it until staff move them."""
    with transaction.atomic():
        _lock_course(track.course)
        _history(track, TrackChange.REMOVED, actor)
        track.delete()


def course_default_track_pin(
    *, actor: User | None, course: CourseRun, track: CourseTrack | None
) -> None:
    """Pin a free track as the course's default, or unpin (``track=None``) to use the rule."""
    with transaction.atomic():
        _lock_course(course)
        if track is not None:
            if track.course_id != course.pk:
                raise ValidationFailed(
                    "That track belongs to another course.",
                    code="track_of_other_course",
                    field="track",
                )
            spec = catalog.track_spec(track.slug)
            if requires_payment(spec, track.price):
                raise ValidationFailed(
                    f"Only a free track can be the default; {spec.display_name} is paid.",
                    code="default_must_be_free",
                    field="track",
                )
            if not spec.learner_visible:
                raise ValidationFailed(
                    f"{spec.display_name} is never offered to learners, so it cannot be the "
                    "default track.",
                    code="default_must_be_visible",
                    field="track",
                )
        for pinned in CourseTrack.objects.filter(course=course, is_pinned_default=True):
            pinned.is_pinned_default = False
            pinned.save(update_fields=["is_pinned_default", "updated_at"])
            _history(pinned, TrackChange.UPDATED, actor)
        if track is not None:
            track.is_pinned_default = True
            track.save(update_fields=["is_pinned_default", "updated_at"])
            _history(track, TrackChange.UPDATED, actor)


# --------------------------------------------------------------- verification deadline


def _verification_deadline_check(
    deadline: dt.datetime, upgrade_deadlines: Iterable[dt.datetime | None]
) -> None:
    """A learner who upgrades at the last moment must still be able to verify."""
    latest = max((moment for moment in upgrade_deadlines if moment is not None), default=None)
    if latest is not None and deadline < latest:
        raise ValidationFailed(
            "Verification deadline must be after the upgrade deadline.",
            code="verification_deadline_too_early",
            field="verification_deadline",
        )


def _verification_deadline_write(
    *, actor: User | None, course: CourseRun, deadline: dt.datetime | None
) -> None:
    if deadline is None:
        CourseVerificationDeadline.objects.filter(course=course).delete()
        return
    CourseVerificationDeadline.objects.update_or_create(
        course=course,
        defaults={"deadline": deadline, "deadline_is_explicit": True, "updated_by": actor},
    )


def course_verification_deadline_set(
    *, actor: User | None, course: CourseRun, deadline: dt.datetime | None
) -> None:
    """Set the course's explicit verification deadline, or remove it (``deadline=None``).

    It must not be earlier than any upgrade deadline of the course's tracks
    (``verification_deadline_too_early``). Later changes of an upgrade deadline do not re-check
    it, as in Open edX.
    """
    with transaction.atomic():
        _lock_course(course)
        if deadline is not None:
            _verification_deadline_check(
                deadline,
                CourseTrack.objects.filter(course=course).values_list(
                    "upgrade_deadline", flat=True
                ),
            )
        _verification_deadline_write(actor=actor, course=course, deadline=deadline)


# ------------------------------------------------------------------ full replace (commerce)


def _match(rows: list[CourseTrack], data: TrackInput, default_currency: str) -> CourseTrack | None:
    """The offered row ``data`` replaces: same slug, the same currency first."""
    currency = (data.currency or default_currency).strip().lower()
    same_slug = [row for row in rows if row.slug == data.slug]
    for row in same_slug:
        if row.currency == currency:
            return row
    return same_slug[0] if same_slug else None


def course_tracks_replace(
    *,
    actor: User | None,
    course: CourseRun,
    tracks: Sequence[TrackInput],
    verification_deadline: dt.datetime | Keep | None = KEEP,
) -> TracksReplaced:
    """Make ``tracks`` the course's tracks (Open edX's Commerce API PUT), in one transaction.

    Each given track updates the offered one with its slug (the same currency first) or is added;
    offered tracks not given are removed, except those the catalog keeps
    (``KEPT_ON_COMMERCE_REPLACE``). Display names are regenerated from the slug as Open edX's
    Commerce API does. ``verification_deadline``: a moment replaces the course's (it must not be
    earlier than any given upgrade deadline), ``None`` removes it, ``KEEP`` leaves it.

    Every track is checked by :func:`course_track_check`; the first invalid one raises its error
    with ``params["index"]`` (its position in ``tracks``) and nothing is changed.
    """
    site = site_configuration_get()
    with transaction.atomic():
        _lock_course(course)
        if isinstance(verification_deadline, dt.datetime):
            _verification_deadline_check(
                verification_deadline, (track.upgrade_deadline for track in tracks)
            )
        unmatched = list(
            CourseTrack.objects.select_for_update().select_related("course").filter(course=course)
        )
        created = not unmatched
        plan: list[tuple[TrackInput, CourseTrack | None]] = []
        for data in tracks:
            row = _match(unmatched, data, site.default_currency)
            if row is not None:
                unmatched.remove(row)
            plan.append((replace(data, display_name=catalog.commerce_display_name(data.slug)), row))
        removed = [row for row in unmatched if row.slug not in catalog.KEPT_ON_COMMERCE_REPLACE]
        for row in removed:
            course_track_delete(actor=actor, track=row)
        for index, (data, row) in enumerate(plan):
            try:
                if row is None:
                    course_track_create(actor=actor, course=course, data=data)
                else:
                    course_track_update(actor=actor, track=row, data=data)
            except DomainError as error:
                raise type(error)(
                    error.message,
                    code=error.code,
                    field=error.field,
                    **{**error.params, "index": index},
                ) from None
        if verification_deadline is not KEEP:
            _verification_deadline_write(actor=actor, course=course, deadline=verification_deadline)
    return TracksReplaced(
        created=created,
        added=tuple(data.slug for data, row in plan if row is None),
        updated=tuple(data.slug for data, row in plan if row is not None),
        removed=tuple(row.slug for row in removed),
    )
