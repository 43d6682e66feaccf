"""What the Enrollment API v1 views share: who may call, and Open edX's error bodies.

Open edX's enrollment views are plain DRF views that answer their own refusals as
``{"message": ...}`` (a few with ``course_details`` or ``localizedMessage``, a few with an empty
body) and leave DRF's own errors (not signed in, CSRF, content type, malformed JSON, throttled)
as ``{"detail": ...}``. Here:

* :class:`OpenEdxAnswer` is a `DomainError` carrying such an answer; the constructors below
  hold every Open edX message of these endpoints, and :func:`post_refusal` maps the enrollment
  services' error codes to them;
* :func:`enrollment_exception_handler` keeps `core.api.exception_handler` for the status, the
  headers and the rollback, and only chooses the body.

The `enrollments` list is Open edX's ``DeveloperErrorViewMixin`` view: it keeps core's
``ErrorStyle.OPENEDX`` body and does not use this handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.api.callers import api_caller
from enrollment_tracks.api.permissions import (
    is_privileged_for_enrollments,
    may_read_enrollments_of_others,
)
from enrollment_tracks.core.api import ErrorStyle, exception_handler
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.core.request_size import BoundedBodyView, api_exception_of
from enrollment_tracks.tracks.selectors import course_tracks_read_once

COMPAT_TAG = "openedx-compatible"


class OpenEdxAnswer(DomainError):
    """An Enrollment API refusal: ``status`` with ``{"message": ..., **extra}``, or with an
    empty body when ``message`` is ``None``."""

    def __init__(
        self,
        status: int,
        message: str | None,
        *,
        code: str,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message or "", code=code)
        self.http_status = status
        self.empty = message is None
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any] | None:
        return None if self.empty else {"message": self.message, **self.extra}


# ------------------------------------------------------------------ Open edX's messages


def hidden() -> OpenEdxAnswer:
    """404 with an empty body: other users must not learn whether an enrollment exists."""
    return OpenEdxAnswer(404, None, code="not_visible")


def course_id_missing() -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, "Course ID must be specified to create a new enrollment.", code="course_id_missing"
    )


def no_course_for_enrollment(course_id: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, f"No course '{course_id}' found for enrollment", code="course_not_found"
    )


def no_course_found(course_id: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, f"No course found for course ID '{course_id}'", code="course_not_found"
    )


def unknown_email(email: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        406, f"The user with the email address {email} does not exist.", code="user_not_found"
    )


def unknown_user(username: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(406, f"The user {username} does not exist.", code="user_not_found")


def mode_refused(mode: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        403,
        f"User does not have permission to create enrollment with mode [{mode}].",
        code="mode_not_permitted",
    )


def mode_unavailable(mode: object, course_id: object, details: Mapping[str, Any]) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400,
        f"The [{mode}] course mode is expired or otherwise unavailable for course run "
        f"[{course_id}].",
        code="mode_unavailable",
        extra={"course_details": dict(details)},
    )


def invalid_activation(value: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, f"'{value}' is an invalid enrollment activation status.", code="invalid_is_active"
    )


def invalid_force(value: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, f"'{value}' is an invalid force enrollment status.", code="invalid_force_enrollment"
    )


def mode_mismatch(active: str, requested: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400,
        f"Enrollment mode mismatch: active mode={active}, requested mode={requested}. "
        "Won't deactivate.",
        code="mode_mismatch",
    )


def missing_attributes(mode: object, required: list[str]) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400,
        f"Missing enrollment attributes: requested mode={mode} required attributes={required}",
        code="missing_attributes",
    )


def invalid_attribute(message: str) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400, message, code="invalid_attribute", extra={"localizedMessage": message}
    )


def cohort_error(name: object) -> OpenEdxAnswer:
    # "occured": Open edX's spelling, which clients may match.
    return OpenEdxAnswer(
        400, f"An error occured while adding to cohort [{name}]", code="cohort_not_found"
    )


def creation_failed(username: str, course_id: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400,
        "An error occurred while creating the new course enrollment for user "
        f"'{username}' in course '{course_id}'",
        code="enrollment_failed",
    )


def retrieval_failed(username: str, course_id: object | None = None) -> OpenEdxAnswer:
    where = f" in course '{course_id}'" if course_id is not None else ""
    return OpenEdxAnswer(
        400,
        f"An error occurred while retrieving enrollments for user '{username}'{where}",
        code="retrieval_failed",
    )


def allowed_data_missing() -> OpenEdxAnswer:
    return OpenEdxAnswer(
        400,
        "Please provide a value for 'email' and 'course_id' in the request data.",
        code="data_missing",
    )


def allowed_exists(email: object, course_id: object) -> OpenEdxAnswer:
    return OpenEdxAnswer(
        409,
        f"An enrollment allowed with email {email} and course {course_id} already exists.",
        code="invitation_exists",
    )


def allowed_missing(email: object, course_id: object) -> OpenEdxAnswer:
    # "doesn't exists": Open edX's wording.
    return OpenEdxAnswer(
        404,
        f"An enrollment allowed with email {email} and course {course_id} doesn't exists.",
        code="invitation_not_found",
    )


#: Service error codes for a track the requester may not take (Open edX: the mode check's 403).
MODE_REFUSED_CODES = frozenset({"track_requires_payment", "track_not_selectable"})
#: Service error codes for a track the course does not offer today.
MODE_UNAVAILABLE_CODES = frozenset(
    {"track_not_offered", "track_unavailable", "unknown_track", "no_free_track"}
)


def post_refusal(
    error: DomainError,
    *,
    username: str,
    course_id: str,
    mode: object,
    details: Mapping[str, Any],
) -> OpenEdxAnswer:
    """The Open edX answer to an enrollment service's refusal during POST `enrollment`.

    Anything else (enrollment closed, course full, invitation only...) is Open edX's generic
    "An error occurred while creating..." 400.
    """
    if isinstance(error, OpenEdxAnswer):
        return error
    if error.code == "invalid_attribute":
        return invalid_attribute(error.message)
    if error.code in MODE_REFUSED_CODES:
        return mode_refused(mode)
    if error.code in MODE_UNAVAILABLE_CODES:
        return mode_unavailable(mode, course_id, details)
    return creation_failed(username, course_id)


# ------------------------------------------------------------------------ the handler


def _drf_body(exc: Exception, fallback: Any) -> Any:
    if isinstance(exc, OpenEdxAnswer):
        return exc.body()
    if isinstance(exc, DomainError):
        return {"message": exc.message}
    if isinstance(exc, exceptions.ValidationError):
        return exc.detail
    if isinstance(exc, exceptions.APIException):
        return {"detail": exc.detail}
    if isinstance(exc, Http404 | DjangoPermissionDenied):
        return {"detail": str(exc) or ("Not found." if isinstance(exc, Http404) else "")}
    return fallback


def enrollment_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Core's handler (status, headers, rollback) with Open edX's Enrollment API body."""
    exc = api_exception_of(exc)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = _drf_body(exc, response.data)
    return response


# ------------------------------------------------------------------------ base views


class IsPersonOrClient(BasePermission):
    """A signed-in person or an authenticated service client (Open edX: a user or the API
    key); anyone else gets DRF's 401/403."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        caller = api_caller(request)
        return caller.user is not None or caller.is_client


class EnrollmentApiView(BoundedBodyView):
    """Base of the Enrollment API v1 views answering Open edX's ``{"message": ...}`` bodies.

    A request reads each course's tracks once (the checks, the services and the rendering all
    ask for them): these views never change tracks.
    """

    error_style = ErrorStyle.OPENEDX
    permission_classes = [IsPersonOrClient]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        with course_tracks_read_once():
            return super().dispatch(request, *args, **kwargs)

    def get_exception_handler(self) -> Any:
        return enrollment_exception_handler


class MayReadOthers(BasePermission):
    """Global staff or a client with ``enrollments:read`` or ``:write`` (Open edX:
    ``IsAdminUser``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return may_read_enrollments_of_others(api_caller(request))


class ReadsOrPrivilegedWrites(BasePermission):
    """Reads as :class:`MayReadOthers`; writes for privileged callers only (Open edX:
    ``IsAdminUser``)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        caller = api_caller(request)
        if request.method in SAFE_METHODS:
            return may_read_enrollments_of_others(caller)
        return is_privileged_for_enrollments(caller)
