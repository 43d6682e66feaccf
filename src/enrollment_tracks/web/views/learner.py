"""Learner pages: the catalog and course about page (anyone), enroll, unenroll and the
dashboard (signed-in learners, each acting only for themselves)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from enrollment_tracks.certificates.selectors import learner_certificates
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.permissions import can_manage_course
from enrollment_tracks.courses.selectors import course_list
from enrollment_tracks.ecommerce.selectors import is_paid, upgrades_for
from enrollment_tracks.enrollments.selectors import enrollment_get, enrollments_for_learner
from enrollment_tracks.enrollments.services import enrollment_create, enrollment_unenroll
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track, course_tracks
from enrollment_tracks.tracks.types import OfferedTrack
from enrollment_tracks.verification.selectors import learner_verification
from enrollment_tracks.web.errors import raise_for_page
from enrollment_tracks.web.forms import EnrollForm
from enrollment_tracks.web.views.common import course_or_404, current_user


@require_GET
def catalog_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/catalog.html", {"courses": course_list()})


def _choosable(tracks: list[OfferedTrack], default: OfferedTrack | None) -> list[OfferedTrack]:
    """The tracks a learner may pick on the about page (free, self-selectable, or the default)."""
    return [
        track
        for track in tracks
        if track.self_enrollable or (default is not None and default.slug == track.slug)
    ]


def _about_context(
    request: HttpRequest, course: CourseRun, form: EnrollForm | None = None
) -> dict[str, object]:
    tracks = course_tracks(course)
    default = course_default_track(course)
    choosable = _choosable(tracks, default)
    enrollment = None
    if request.user.is_authenticated:
        enrollment = enrollment_get(learner=current_user(request), course=course)
    return {
        "course": course,
        "tracks": tracks,
        "default_track": default,
        "choosable": choosable,
        "form": form
        or EnrollForm(choices=choosable, initial={"track": default.slug if default else ""}),
        "enrollment": enrollment if enrollment and enrollment.is_active else None,
        "enrollment_track": catalog.CATALOG.get(enrollment.track) if enrollment else None,
        "can_manage": request.user.is_authenticated and can_manage_course(request.user, course),
        # The e-commerce module: an upgrade the learner may buy now, or seats for sale.
        "upgrade": upgrades_for([enrollment]).get(course.pk) if enrollment else None,
        "for_sale": [track for track in tracks if track.is_available and is_paid(track)],
    }


@require_GET
def course_about(request: HttpRequest, course_key: str) -> HttpResponse:
    course = course_or_404(course_key)
    return render(request, "web/course_about.html", _about_context(request, course))


@login_required
@require_POST
def course_enroll(request: HttpRequest, course_key: str) -> HttpResponse:
    course = course_or_404(course_key)
    choosable = _choosable(course_tracks(course), course_default_track(course))
    form = EnrollForm(request.POST, choices=choosable)
    if form.is_valid():
        try:
            enrollment_create(
                actor=current_user(request),
                learner=current_user(request),
                course=course,
                track=form.cleaned_data["track"] or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"You are enrolled in {course.title}.")
            return redirect("web:dashboard")
    return render(
        request, "web/course_about.html", _about_context(request, course, form), status=400
    )


@login_required
@require_POST
def course_unenroll(request: HttpRequest, course_key: str) -> HttpResponse:
    course = course_or_404(course_key)
    try:
        enrollment_unenroll(
            actor=current_user(request), learner=current_user(request), course=course
        )
    except DomainError as error:
        raise_for_page(error)
        messages.error(request, error.message)
    else:
        messages.success(request, f"You have left {course.title}.")
    return redirect("web:dashboard")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    certificates = learner_certificates(user)
    enrollments = list(enrollments_for_learner(user))
    upgrades = upgrades_for(enrollments)
    rows: list[dict[str, Any]] = [
        {
            "enrollment": enrollment,
            "spec": catalog.CATALOG.get(enrollment.track),
            "certificate": certificates.get(enrollment.course_id),
            "upgrade": upgrades.get(enrollment.course_id),
        }
        for enrollment in enrollments
    ]
    needs_verification = any(row["spec"] and row["spec"].needs_id_verification for row in rows)
    verification = learner_verification(user.pk) if needs_verification else None
    return render(request, "web/dashboard.html", {"rows": rows, "verification": verification})
