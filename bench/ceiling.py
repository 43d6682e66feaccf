"""The ceiling of the API benchmark: the two measured operations as plain Django views.

Served only by the benchmark's server (``bench.settings``), behind the same middleware (sessions,
CSRF, authentication) as the real endpoints. Each does the database work a correct minimal
implementation of the same rules needs, and no more, and answers the same JSON body:

``POST bench/ceiling/enrollment`` (a signed-in learner enrolls on the course's default track):
    the session and the user (middleware), the course by key, its tracks, then in one
    transaction the learner's invitation, the enrollment locked (inserted when missing), the
    learner's course role (for the audit row) and the audit row.
``GET bench/ceiling/enrollment/<course_id>`` (the learner's own enrollment):
    the session and the user (middleware), the enrollment joined to its course, the course's
    tracks.

No DRF, no serializers, no services: what is left of the gap between these and the real
endpoints is the cost of our layers. Not for production: no Open edX error bodies, learners only.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from enrollment_tracks.core import clock
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun, Pacing
from enrollment_tracks.enrollments.models import (
    Enrollment,
    EnrollmentAudit,
    Invitation,
    Transition,
)
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.models import CourseTrack


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _price(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _live_tracks(course: CourseRun, now: dt.datetime) -> list[CourseTrack]:
    rows = [
        row
        for row in CourseTrack.objects.filter(course=course)
        if row.upgrade_deadline is None or row.upgrade_deadline >= now
    ]
    return sorted(rows, key=lambda row: (catalog.sort_key(row.slug), row.currency))


def _body(enrollment: Enrollment, course: CourseRun, tracks: list[CourseTrack], user: Any) -> Any:
    return {
        "created": _iso(enrollment.created),
        "mode": enrollment.track,
        "is_active": enrollment.is_active,
        "course_details": {
            "course_id": course.key,
            "course_name": course.title,
            "enrollment_start": _iso(course.enrollment_start),
            "enrollment_end": _iso(course.enrollment_end),
            "course_start": _iso(course.start),
            "course_end": _iso(course.end),
            "invite_only": course.invitation_only,
            "course_modes": [
                {
                    "slug": row.slug,
                    "name": row.display_name or catalog.CATALOG[row.slug].display_name,
                    "min_price": _price(row.price),
                    "suggested_prices": "",
                    "currency": row.currency,
                    "expiration_datetime": _iso(row.upgrade_deadline),
                    "description": row.description or None,
                    "sku": row.sku or None,
                    "bulk_sku": row.bulk_sku or None,
                }
                for row in tracks
            ],
            "pacing_type": "Self Paced" if course.pacing == Pacing.SELF else "Instructor Paced",
        },
        "user": user.username,
    }


def _default_track(tracks: list[CourseTrack]) -> str | None:
    free = [
        row
        for row in tracks
        if row.price == 0
        and not catalog.CATALOG[row.slug].is_paid
        and catalog.CATALOG[row.slug].learner_visible
    ]
    pinned = [row.slug for row in free if row.is_pinned_default]
    slugs = {row.slug for row in free}
    return next(iter(pinned), None) or next(
        (slug for slug in catalog.DEFAULT_PREFERENCE if slug in slugs), None
    )


def enrollment_post(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST" or not user.is_authenticated:
        return HttpResponse(status=403)
    try:
        course_id = json.loads(request.body)["course_details"]["course_id"]
        course = CourseRun.objects.get(key=course_id)
    except (ValueError, KeyError, TypeError, CourseRun.DoesNotExist):
        return JsonResponse({"message": "Bad request."}, status=400)
    now = clock.now()
    tracks = _live_tracks(course, now)
    track = _default_track(tracks)
    closed = (course.enrollment_start is not None and now < course.enrollment_start) or (
        course.enrollment_end is not None and now > course.enrollment_end
    )
    if track is None or closed or course.max_enrollments is not None:
        return JsonResponse({"message": "Not handled by the ceiling view."}, status=400)
    with transaction.atomic():
        invitation = Invitation.objects.filter(course=course, email__iexact=user.email).first()
        if course.invitation_only and invitation is None:
            return JsonResponse({"message": "Invitation only."}, status=400)
        row = (
            Enrollment.objects.select_for_update()
            .filter(user=user, course=course)
            .order_by("pk")  # not the default ordering: it joins, and would lock, the course
            .first()
        )
        if row is not None and row.is_active:
            return JsonResponse(_body(row, course, tracks, user))
        created = row is None
        try:
            with transaction.atomic():
                if row is None:
                    row = Enrollment.objects.create(
                        user=user,
                        course=course,
                        track=track,
                        is_active=True,
                        created=now,
                        updated=now,
                    )
                else:
                    row.track, row.is_active, row.updated = track, True, now
                    row.save(update_fields=["track", "is_active", "updated"])
        except IntegrityError:  # a simultaneous request of the same learner won
            row = Enrollment.objects.get(user=user, course=course)
            return JsonResponse(_body(row, course, tracks, user))
        if invitation is not None and invitation.user_id is None:
            invitation.user = user
            invitation.save(update_fields=["user"])
        roles = sorted(
            CourseAccessRole.objects.filter(user_id=user.pk, course_id=course.pk).values_list(
                "role", flat=True
            )
        )
        EnrollmentAudit.objects.create(
            course=course,
            enrollment=row,
            learner=user,
            email=user.email,
            actor=user,
            role=roles[0] if roles else "learner",
            created_at=now,
            transition=Transition.UNENROLLED_TO_ENROLLED,
            track_before="" if created else row.track,
            track_after=track,
            reason="",
        )
    return JsonResponse(_body(row, course, tracks, user))


def enrollment_get(request: HttpRequest, course_id: str) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=403)
    row = (
        Enrollment.objects.select_related("course")
        .filter(user_id=user.pk, course__key=str(course_id))
        .order_by("pk")
        .first()
    )
    if row is None:
        return HttpResponse()
    return JsonResponse(_body(row, row.course, _live_tracks(row.course, clock.now()), user))
