from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.core.money import Money
from enrollment_tracks.core.selectors import site_configuration_get
from enrollment_tracks.core.types import SiteSettings
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.availability import is_expired, unavailable_reason
from enrollment_tracks.tracks.models import (
    CourseTrack,
    CourseTrackHistory,
    CourseVerificationDeadline,
)
from enrollment_tracks.tracks.types import OfferedTrack


def _offered(row: CourseTrack, site: SiteSettings) -> OfferedTrack:
    now = clock.now()
    spec = catalog.track_spec(row.slug)
    return OfferedTrack(
        spec=spec,
        slug=row.slug,
        display_name=row.display_name or spec.display_name,
        price=Money(row.price, row.currency),
        upgrade_deadline=row.upgrade_deadline,
        upgrade_deadline_is_explicit=row.upgrade_deadline_is_explicit,
        description=row.description,
        sku=row.sku,
        bulk_sku=row.bulk_sku,
        is_pinned_default=row.is_pinned_default,
        configured=True,
        is_expired=is_expired(row.upgrade_deadline, now),
        unavailable_reason=unavailable_reason(
            spec, price=row.price, deadline=row.upgrade_deadline, site=site, now=now
        ),
        track_id=row.pk,
    )


def _virtual_default(site: SiteSettings) -> OfferedTrack:
    spec = catalog.CATALOG[catalog.DEFAULT_TRACK]
    return OfferedTrack(
        spec=spec,
        slug=spec.slug,
        display_name=spec.display_name,
        price=Money(Decimal(0), site.default_currency),
        upgrade_deadline=None,
        upgrade_deadline_is_explicit=False,
        description="",
        sku="",
        bulk_sku="",
        is_pinned_default=False,
        configured=False,
        is_expired=False,
        unavailable_reason=None,
        track_id=None,
    )


#: Inside :func:`course_tracks_read_once`: course id → its configured tracks, read once.
_READ_ONCE: ContextVar[dict[int, list[OfferedTrack]] | None] = ContextVar(
    "course_tracks_read_once", default=None
)


@contextmanager
def course_tracks_read_once() -> Iterator[None]:
    """Within the block, each course's tracks are read from the database once.

    Open edX keeps ``modes_for_course`` in a request cache for the same reason: one request asks
    for a course's tracks several times (the requested track, the default one, the rendering).
    For blocks that do not change tracks, such as an Enrollment API request; the track services
    forget what the block read about the course they change all the same.
    """
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def course_tracks_forget(course_id: int) -> None:
    """Drop what :func:`course_tracks_read_once` holds about the course (its tracks changed)."""
    read = _READ_ONCE.get()
    if read is not None:
        read.pop(course_id, None)


def course_tracks_configured(course: CourseRun) -> list[OfferedTrack]:
    """The rows the course team configured, expired ones included, in catalog order."""
    read = _READ_ONCE.get()
    if read is not None and course.pk in read:
        return list(read[course.pk])
    site = site_configuration_get()
    rows = CourseTrack.objects.filter(course=course)
    offered = sorted(
        (_offered(row, site) for row in rows),
        key=lambda track: (catalog.sort_key(track.slug), track.price.currency),
    )
    if read is not None:
        read[course.pk] = offered
    return list(offered)


def offered_track(row: CourseTrack) -> OfferedTrack:
    """One stored track as the selectors present it (e.g. right after a service wrote it)."""
    return _offered(row, site_configuration_get())


def course_track_configured(course: CourseRun, slug: str) -> OfferedTrack | None:
    """The stored track with this slug, expired or not (the site currency's row first).

    Never the virtual audit track: a course that configures none has no stored track.
    """
    default_currency = site_configuration_get().default_currency
    matches = [track for track in course_tracks_configured(course) if track.slug == slug]
    matches.sort(key=lambda track: track.price.currency != default_currency)
    return matches[0] if matches else None


def courses_with_tracks() -> list[tuple[CourseRun, list[OfferedTrack]]]:
    """Every course run that stores at least one track, by key, with those tracks (one query)."""
    site = site_configuration_get()
    grouped: dict[int, tuple[CourseRun, list[OfferedTrack]]] = {}
    for row in CourseTrack.objects.select_related("course").order_by("course__key"):
        grouped.setdefault(row.course_id, (row.course, []))[1].append(_offered(row, site))
    for _course, tracks in grouped.values():
        tracks.sort(key=lambda track: (catalog.sort_key(track.slug), track.price.currency))
    return list(grouped.values())


def course_verification_deadline(course: CourseRun) -> dt.datetime | None:
    """The last moment to submit ID photos for the course, or ``None`` (no deadline)."""
    row = CourseVerificationDeadline.objects.filter(course=course).first()
    return row.deadline if row else None


def course_tracks(
    course: CourseRun, *, include_expired: bool = False, learner_visible_only: bool = True
) -> list[OfferedTrack]:
    """What the course offers (Open edX's ``modes_for_course``).

    Expired tracks are left out unless ``include_expired``; tracks learners never see (credit)
    are left out when ``learner_visible_only``. When nothing is left, the course offers the
    virtual free audit track, which is not stored.
    """
    tracks = [
        track
        for track in course_tracks_configured(course)
        if (include_expired or not track.is_expired)
        and (not learner_visible_only or track.spec.learner_visible)
    ]
    return tracks or [_virtual_default(site_configuration_get())]


def default_track_choose(tracks: Sequence[OfferedTrack]) -> OfferedTrack | None:
    """The one default-track rule.

    A pinned free track first; otherwise audit if offered free, else honor if offered free, else
    none (the course is paywalled: enrollment only through payment or staff). ``tracks`` are the
    course's unexpired tracks, as :func:`course_tracks` gives them.
    """
    candidates = [track for track in tracks if not track.is_expired and track.is_free]
    for track in candidates:
        if track.is_pinned_default:
            return track
    for slug in catalog.DEFAULT_PREFERENCE:
        for track in candidates:
            if track.slug == slug:
                return track
    return None


def course_default_track(course: CourseRun) -> OfferedTrack | None:
    """Over the tracks learners see, as Open edX's ``_default_course_mode`` (credit never)."""
    return default_track_choose(course_tracks(course))


def course_track_find(
    course: CourseRun, slug: str, *, include_expired: bool = False
) -> OfferedTrack | None:
    """The course's track with this slug (the site currency's row first), or ``None``."""
    site = site_configuration_get()
    matches = [
        track
        for track in course_tracks(
            course, include_expired=include_expired, learner_visible_only=False
        )
        if track.slug == slug
    ]
    matches.sort(key=lambda track: track.price.currency != site.default_currency)
    return matches[0] if matches else None


def course_track_row(course: CourseRun, track_id: int) -> CourseTrack:
    try:
        return CourseTrack.objects.select_related("course").get(course=course, pk=track_id)
    except CourseTrack.DoesNotExist:
        raise NotFound("This course has no such track.", code="track_not_found") from None


def course_offers_certificates(course: CourseRun) -> bool:
    """Certificates can be configured only while the course offers a track that grants one."""
    return any(
        track.spec.grants_certificate
        for track in course_tracks(course, include_expired=True, learner_visible_only=False)
    )


def course_track_history(course: CourseRun) -> list[CourseTrackHistory]:
    return list(CourseTrackHistory.objects.filter(course=course).select_related("actor")[:50])
