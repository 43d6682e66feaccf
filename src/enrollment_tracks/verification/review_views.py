"""Staff review pages: the queue, one attempt with its photos side by side, the decision.

Reviewers only (see :func:`~enrollment_tracks.verification.permissions.can_review`); anyone else
signed in gets 403, anonymous visitors the log-in page. Photos are served decrypted only by
:func:`photo`, which logs every look and forbids caching.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.core.errors import DomainError, NotFound
from enrollment_tracks.verification import selectors, services
from enrollment_tracks.verification.models import AttemptStatus, EventKind
from enrollment_tracks.verification.permissions import can_review


def reviewer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_review(request.user):
            raise PermissionDenied("Only ID verification reviewers can see this page.")
        return view(request, *args, **kwargs)

    return login_required(never_cache(wrapped))


def _attempt_or_404(public_id: uuid.UUID) -> Any:
    try:
        return selectors.attempt_for_review(public_id)
    except NotFound as error:
        raise Http404(error.message) from None


@reviewer_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "verification/review/queue.html",
        {"attempts": selectors.review_queue()[:200], "review_mode": selectors.review_mode_get()},
    )


@reviewer_required
@require_GET
def detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    attempt = _attempt_or_404(public_id)
    return render(
        request,
        "verification/review/detail.html",
        {
            "attempt": attempt,
            "can_decide": attempt.status == AttemptStatus.SUBMITTED,
            "events": list(attempt.events.all()),
            "viewed": EventKind.PHOTO_VIEWED,
        },
    )


@reviewer_required
@require_GET
def photo(request: HttpRequest, public_id: uuid.UUID, kind: str) -> HttpResponse:
    try:
        data = services.photo_view(public_id=public_id, kind=kind, viewer=request_user(request))
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        response = HttpResponse(error.message, status=409, content_type="text/plain")
    else:
        response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "no-store, private"
    response["Content-Disposition"] = "inline"
    return response


@reviewer_required
@require_POST
def decide(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    _attempt_or_404(public_id)
    try:
        services.attempt_decide(
            public_id=public_id,
            actor=request_user(request),
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("verification:review-detail", public_id=public_id)
    messages.success(request, "Decision recorded; the learner is told by email.")
    return redirect("verification:review-queue")
