"""The instructor dashboard of a course: course team of that course and global staff only.

Anonymous visitors are sent to the log-in page; signed-in users outside the team get 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.enrollments.selectors import audit_for_course, course_enrollment_counts
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks import services as track_services
from enrollment_tracks.tracks.selectors import (
    course_default_track,
    course_offers_certificates,
    course_track_history,
    course_track_row,
    course_tracks_configured,
)
from enrollment_tracks.web.errors import add_to_form, raise_for_page
from enrollment_tracks.web.forms import PinDefaultForm, TrackForm
from enrollment_tracks.web.views.common import course_or_404, current_user

CourseView = Callable[..., HttpResponse]


def course_team_only(view: CourseView) -> Callable[..., HttpResponse]:
    """Resolve the course from the URL and let only its team (or global staff) through."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, course_key: str, **kwargs: Any) -> HttpResponse:
        course = course_or_404(course_key)
        if not can_manage_course(request.user, course):
            raise PermissionDenied("Only the course team can open the instructor dashboard.")
        return view(request, course, **kwargs)

    return wrapper


def _tracks_context(course: CourseRun, form: TrackForm | None = None) -> dict[str, Any]:
    tracks = course_tracks_configured(course)
    counts = course_enrollment_counts(course)
    offered = {track.slug for track in tracks} or {catalog.DEFAULT_TRACK}
    return {
        "course": course,
        "tab": "tracks",
        "tracks": tracks,
        "default_track": course_default_track(course),
        "counts": counts,
        # Learners stay on a track the course stopped offering until the team moves them.
        "stranded": [
            (catalog.CATALOG[slug].display_name if catalog.is_known(slug) else slug, n)
            for slug, n in sorted(counts.items())
            if slug != "total" and slug not in offered
        ],
        "offers_certificates": course_offers_certificates(course),
        "form": form or TrackForm(),
        "history": course_track_history(course),
    }


@require_GET
@course_team_only
def tracks_tab(request: HttpRequest, course: CourseRun) -> HttpResponse:
    return render(request, "web/instructor/tracks.html", _tracks_context(course))


@require_POST
@course_team_only
def track_add(request: HttpRequest, course: CourseRun) -> HttpResponse:
    form = TrackForm(request.POST)
    if form.is_valid():
        try:
            track = track_services.course_track_create(
                actor=current_user(request), course=course, data=form.to_input()
            )
        except DomainError as error:
            add_to_form(form, error)
        else:
            messages.success(request, f"{track.display_name} added.")
            return redirect("web:instructor-tracks", course_key=course.key)
    return render(request, "web/instructor/tracks.html", _tracks_context(course, form), status=400)


@require_http_methods(["GET", "POST"])
@course_team_only
def track_edit(request: HttpRequest, course: CourseRun, track_id: int) -> HttpResponse:
    try:
        track = course_track_row(course, track_id)
    except DomainError as error:
        raise_for_page(error)
        raise
    if request.method == "POST":
        # The initial slug is what the disabled Track select shows if the form comes back.
        form = TrackForm(request.POST, initial={"slug": track.slug})
        if form.is_valid():
            try:
                saved = track_services.course_track_update(
                    actor=current_user(request), track=track, data=form.to_input()
                )
            except DomainError as error:
                add_to_form(form, error)
            else:
                messages.success(request, f"{saved.display_name} saved.")
                return redirect("web:instructor-tracks", course_key=course.key)
    else:
        form = TrackForm(
            initial={
                "slug": track.slug,
                "display_name": track.display_name,
                "price": track.price,
                "currency": track.currency,
                "upgrade_deadline": track.upgrade_deadline,
                "upgrade_deadline_is_explicit": track.upgrade_deadline_is_explicit,
                "description": track.description,
                "sku": track.sku,
                "bulk_sku": track.bulk_sku,
            }
        )
    form.fields["slug"].disabled = True
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "web/instructor/track_edit.html",
        {"course": course, "tab": "tracks", "track": track, "form": form},
        status=status,
    )


@require_POST
@course_team_only
def track_delete(request: HttpRequest, course: CourseRun, track_id: int) -> HttpResponse:
    try:
        track = course_track_row(course, track_id)
    except DomainError as error:
        raise_for_page(error)
        raise
    track_services.course_track_delete(actor=current_user(request), track=track)
    messages.success(
        request,
        f"{track.display_name} removed. Learners already on it stay on it until you move them.",
    )
    return redirect("web:instructor-tracks", course_key=course.key)


@require_POST
@course_team_only
def track_pin_default(request: HttpRequest, course: CourseRun) -> HttpResponse:
    form = PinDefaultForm(request.POST)
    track = None
    if form.is_valid() and form.cleaned_data["track_id"]:
        try:
            track = course_track_row(course, form.cleaned_data["track_id"])
        except DomainError as error:
            raise_for_page(error)
    try:
        track_services.course_default_track_pin(
            actor=current_user(request), course=course, track=track
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Default track saved.")
    return redirect("web:instructor-tracks", course_key=course.key)


@require_GET
@course_team_only
def audit_tab(request: HttpRequest, course: CourseRun) -> HttpResponse:
    rows = audit_for_course(course)
    learner = request.GET.get("learner", "").strip()
    if learner:
        rows = rows.filter(email__iexact=learner) | rows.filter(learner__username__iexact=learner)
    return render(
        request,
        "web/instructor/audit.html",
        {"course": course, "tab": "audit", "rows": rows[:500], "learner": learner},
    )
