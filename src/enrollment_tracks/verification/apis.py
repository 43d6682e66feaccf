"""ID verification over HTTP: Open edX's status endpoint and our submit endpoint.

Thin views: authenticate (session with CSRF, or the service credentials of the API app),
authorize with :mod:`~enrollment_tracks.verification.permissions`, call one service or
selector, render. Errors go through ``core.api.exception_handler``.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.accounts.models import User
from enrollment_tracks.accounts.selectors import user_find_by_username
from enrollment_tracks.core.api import ErrorStyle, error_responses
from enrollment_tracks.core.errors import NotFound, PermissionDenied
from enrollment_tracks.verification import selectors, services
from enrollment_tracks.verification.models import VerificationAttempt
from enrollment_tracks.verification.permissions import can_read_status_of
from enrollment_tracks.verification.serializers import (
    AttemptSerializer,
    AttemptSubmitSerializer,
    VerificationStatusSerializer,
)
from enrollment_tracks.verification.types import OpenEdxStatus, PhotoUpload
from enrollment_tracks.verification.uploads import keep_uploads_in_memory, upload_bytes

COMPAT_TAG = "openedx-compatible"
TAG = "verification"

STATUS_EXAMPLE = OpenApiExample(
    "Approved",
    value={
        "is_verified": True,
        "status": "approved",
        "expiration_datetime": "2027-10-01T12:00:00Z",
    },
    response_only=True,
)
ATTEMPT_EXAMPLE = OpenApiExample(
    "Approved at once (automatic review)",
    value={
        "id": "3f1c1d2e-8a4b-4c47-9b58-0d7f4b0e5a11",
        "status": "approved",
        "review_mode": "automatic",
        "submitted_at": "2026-10-01T12:00:00Z",
        "decided_at": "2026-10-01T12:00:00Z",
        "expires_at": "2027-10-01T12:00:00Z",
        "decision_reason": (
            "Automatic review: approved on submission; the photos were not compared."
        ),
        "photos_deleted": False,
    },
    response_only=True,
)

SUBMIT_EXAMPLE = OpenApiExample(
    "Two photos",
    value={
        "face_photo": "(binary JPEG)",
        "id_photo": "(binary PNG)",
        "name": "Jane Learner",
        "submission_key": "5e0c8d0e2f4a4b1c",
    },
    request_only=True,
    media_type="multipart/form-data",
)


@method_decorator(never_cache, "dispatch")
class VerificationStatusView(APIView):
    """Open edX's ``GET /api/user/v1/accounts/{username}/verification_status/``."""

    error_style = ErrorStyle.OPENEDX

    @extend_schema(
        operation_id="user_v1_verification_status",
        tags=[COMPAT_TAG],
        summary="A learner's ID verification status (Open edX-compatible)",
        description=(
            "Whether the learner holds an approved, unexpired ID verification, in Open edX's "
            "words. 404 when the user is unknown or has no submitted verification (status "
            "`none`), as Open edX answers.\n\n**Permissions**: the learner named in the path, "
            "or global staff (a service client acting as a staff user included); another "
            "learner gets 403 (Open edX's `IsStaffOrOwner`)."
        ),
        responses={
            200: VerificationStatusSerializer,
            403: OpenApiResponse(description="Not signed in, or another learner."),
            404: OpenApiResponse(description="Unknown user, or no verification."),
        },
        examples=[STATUS_EXAMPLE],
    )
    def get(self, request: Request, username: str) -> Response:
        if not can_read_status_of(request.user, username):
            raise PermissionDenied(
                "You may only read your own verification status.", code="not_owner_or_staff"
            )
        learner = user_find_by_username(username)
        if learner is None:
            raise NotFound("No such user.", code="user_not_found")
        state = selectors.learner_verification(learner.pk)
        if state.status is OpenEdxStatus.NONE:
            raise NotFound("This user has no ID verification.", code="no_verification")
        body = {
            "is_verified": state.is_verified,
            "status": str(state.status),
            "expiration_datetime": state.expires_at,
        }
        return Response(VerificationStatusSerializer(body).data)


@method_decorator(never_cache, "dispatch")
class AttemptListView(APIView):
    """Submit both photos as a new attempt (the learner, for themselves)."""

    parser_classes = [MultiPartParser, FormParser]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Before authentication reads the body (the CSRF check does): photos stay in memory.
        keep_uploads_in_memory(request)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="verification_attempt_submit",
        tags=[TAG],
        summary="Submit an ID verification (face photo + ID photo)",
        description=(
            "Multipart form: `face_photo` and `id_photo` (real JPEG or PNG, checked by decoding; "
            "at most `VERIFICATION_PHOTO_MAX_BYTES` and `VERIFICATION_PHOTO_MAX_PIXELS`), "
            "optional `name` and `submission_key`. The photos are re-encoded without metadata "
            "and encrypted at rest. In automatic review mode the answer is already `approved` "
            "(nothing is compared); in manual mode `submitted`, until staff decide.\n\n"
            "409 when an attempt already waits for review or the learner is verified for more "
            "than `VERIFICATION_EXPIRING_SOON_DAYS` days to come. Same `submission_key` again: "
            "200 with the first attempt.\n\n**Permissions**: any signed-in user, for "
            "themselves only (session with the CSRF token in `X-CSRFToken`, or a service "
            "client acting as its own user)."
        ),
        request={"multipart/form-data": AttemptSubmitSerializer},
        responses={
            201: AttemptSerializer,
            200: OpenApiResponse(AttemptSerializer, description="The same submission_key again."),
            **error_responses(400, 403, 409),
        },
        examples=[SUBMIT_EXAMPLE, ATTEMPT_EXAMPLE],
    )
    def post(self, request: Request) -> Response:
        serializer = AttemptSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data

        def photo(field: str) -> PhotoUpload | None:
            upload = data.get(field)
            if upload is None:
                return None
            content, size = upload_bytes(upload)
            return PhotoUpload(content, size)

        learner = cast(User, request.user)
        result = services.attempt_submit(
            learner=learner,
            face_photo=photo("face_photo"),
            id_photo=photo("id_photo"),
            name=data.get("name", ""),
            submission_key=data.get("submission_key", ""),
        )
        attempt = selectors.attempt_for_learner(user_id=learner.pk, public_id=result.attempt_id)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(AttemptSerializer(attempt).data, status=code)


@method_decorator(never_cache, "dispatch")
class AttemptDetailView(APIView):
    @extend_schema(
        operation_id="verification_attempt_get",
        tags=[TAG],
        summary="One of the requester's verification attempts",
        description=(
            "Status, decision and validity of one attempt.\n\n**Permissions**: the learner "
            "who submitted it; anyone else's attempt answers 404, staff included (reviewers "
            "use the review pages)."
        ),
        responses={200: AttemptSerializer, **error_responses(403, 404)},
        examples=[ATTEMPT_EXAMPLE],
    )
    def get(self, request: Request, attempt_id: uuid.UUID) -> Response:
        learner = cast(User, request.user)
        attempt: VerificationAttempt = selectors.attempt_for_learner(
            user_id=learner.pk, public_id=attempt_id
        )
        return Response(AttemptSerializer(attempt).data)
