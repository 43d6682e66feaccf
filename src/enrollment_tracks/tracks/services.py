"""Writes to a course's tracks. Each checks against the catalog and the site configuration."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.db import transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import Conflict, ValidationFailed
from enrollment_tracks.core.money import amount_parse, currency_normalise
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.availability import (
    ECOMMERCE_SETTING,
    IDV_SETTING,
    requires_payment,
)
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory, TrackChange
from enrollment_tracks.tracks.types import TrackInput


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
