"""Learner pages: what is checked, the photo steps, the status. Signed-in learners only, each
acting for themselves; another learner's attempt answers 404.

The photo form is read with :class:`~enrollment_tracks.verification.uploads.MemoryOnlyUploadHandler`
(never a temporary file); CSRF is checked after the handler is installed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import DomainError, NotFound
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.courses.selectors import course_get
from enrollment_tracks.tracks.selectors import course_verification_deadline
from enrollment_tracks.verification import selectors, services
from enrollment_tracks.verification.models import AttemptStatus, ReviewMode
from enrollment_tracks.verification.types import OpenEdxStatus, PhotoUpload
from enrollment_tracks.verification.uploads import keep_uploads_in_memory, upload_bytes


def _course_from(request: HttpRequest) -> CourseRun | None:
    key = request.GET.get("course") or request.POST.get("course") or ""
    if not key:
        return None
    try:
        return course_get(key)
    except DomainError:
        return None


def _context(request: HttpRequest, **extra: object) -> dict[str, object]:
    learner = request_user(request)
    course = _course_from(request)
    deadline = course_verification_deadline(course) if course else None
    return {
        "state": selectors.learner_verification(learner.pk),
        "review_mode": selectors.review_mode_get(),
        "automatic": selectors.review_mode_get() is ReviewMode.AUTOMATIC,
        "course": course,
        "deadline": deadline,
        "deadline_passed": deadline is not None and clock.now() > deadline,
        "retention_days": settings.VERIFICATION_PHOTO_RETENTION_DAYS,
        **extra,
    }


@never_cache
@login_required
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """What ID verification is, what is and is not checked, what happens to the photos."""
    return render(request, "verification/start.html", _context(request))


def _upload(request: HttpRequest, field: str) -> PhotoUpload | None:
    upload = request.FILES.get(field)
    if upload is None:
        return None
    data, size = upload_bytes(upload)
    return PhotoUpload(data=data, size=size)


@csrf_exempt  # the upload handler must be set before CSRF reads the body; checked just below
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def photos(request: HttpRequest) -> HttpResponse:
    keep_uploads_in_memory(request)
    return _photos(request)


@csrf_protect
def _photos(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    if request.method == "GET":
        return render(
            request,
            "verification/photos.html",
            {**context, "submission_key": uuid.uuid4().hex},
        )
    learner = request_user(request)
    course = context["course"]
    try:
        result = services.attempt_submit(
            learner=learner,
            face_photo=_upload(request, "face_photo"),
            id_photo=_upload(request, "id_photo"),
            submission_key=request.POST.get("submission_key", ""),
            name=request.POST.get("name", ""),
            course=course if isinstance(course, CourseRun) else None,
        )
    except DomainError as error:
        if error.code in {"verification_pending", "already_verified"}:
            messages.info(request, error.message)
            return redirect("verification:status")
        return render(
            request,
            "verification/photos.html",
            {
                **context,
                "submission_key": request.POST.get("submission_key") or uuid.uuid4().hex,
                "error": error,
                "name": request.POST.get("name", ""),
            },
            status=400,
        )
    if result.status == AttemptStatus.APPROVED:
        messages.success(request, "Your ID verification is approved.")
    else:
        messages.success(request, "Your photos were submitted for review.")
    return redirect("verification:attempt", public_id=result.attempt_id)


@never_cache
@login_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    learner = request_user(request)
    attempts = selectors.attempts_of_learner(learner.pk)
    return render(
        request,
        "verification/status.html",
        _context(request, attempts=attempts, statuses=OpenEdxStatus),
    )


@never_cache
@login_required
@require_GET
def attempt(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    learner = request_user(request)
    try:
        found = selectors.attempt_for_learner(user_id=learner.pk, public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from None
    return render(request, "verification/attempt.html", _context(request, attempt=found))
