"""The API layer's shared parts: the one error → HTTP mapping, the error bodies, pagination.

Every exception a DRF view lets out comes through `exception_handler`: a `DomainError` answers
with its own ``http_status``; Django's ``Http404`` and ``PermissionDenied`` and DRF's own
exceptions keep the status DRF gives them. The body depends only on the view's
``error_style``:

* ``ErrorStyle.OURS`` (the default, our own API):
  ``{"error": {"code": ..., "message": ..., "field": ... or null}}``, plus
  ``"details": {field: [messages]}`` when a request body failed validation;
* ``ErrorStyle.OPENEDX`` (endpoints compatible with Open edX): the body of Open edX's
  ``DeveloperErrorViewMixin``, ``{"developer_message": ..., "error_code": ...}``, plus
  ``"field_errors": {field: {"developer_message": ...}}`` when the error concerns a field.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import set_rollback

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.core.request_size import api_exception_of

NON_FIELD = "non_field_errors"


class ErrorStyle(enum.StrEnum):
    OURS = "ours"
    OPENEDX = "openedx"


@dataclasses.dataclass(frozen=True, slots=True)
class ApiError:
    status: int
    code: str
    message: str
    field: str | None = None
    details: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    headers: dict[str, str] = dataclasses.field(default_factory=dict)


def _first_leaf(detail: Any) -> tuple[str, str]:
    """(message, code) of the first error in a DRF error structure."""
    if isinstance(detail, dict):
        return _first_leaf(next(iter(detail.values()))) if detail else ("Invalid input.", "invalid")
    if isinstance(detail, list):
        return _first_leaf(detail[0]) if detail else ("Invalid input.", "invalid")
    return str(detail), str(getattr(detail, "code", None) or "invalid")


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _from_validation(exc: exceptions.ValidationError) -> ApiError:
    detail = exc.detail
    if not isinstance(detail, dict):
        message, code = _first_leaf(detail)
        return ApiError(exc.status_code, code, message)
    name = next(iter(detail), NON_FIELD)
    message, code = _first_leaf(detail.get(name, []))
    return ApiError(
        exc.status_code,
        code,
        message,
        field=None if name == NON_FIELD else str(name),
        details={str(key): _messages(value) for key, value in detail.items()},
    )


def api_error_from(exc: Exception) -> ApiError | None:
    """What ``exc`` means over HTTP, or None for an unexpected error (a 500)."""
    exc = api_exception_of(exc)
    if isinstance(exc, DomainError):
        return ApiError(exc.http_status, exc.code, exc.message, field=exc.field)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers: dict[str, str] = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = str(auth_header)
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        error = _from_validation(exc)
    else:
        message, code = _first_leaf(exc.detail)
        error = ApiError(exc.status_code, code or exc.default_code, message)
    return ApiError(
        error.status, error.code, error.message, error.field, error.details, headers=headers
    )


def error_body(error: ApiError, style: ErrorStyle) -> dict[str, Any]:
    if style is ErrorStyle.OPENEDX:
        body: dict[str, Any] = {"developer_message": error.message, "error_code": error.code}
        fields = error.details or ({error.field: [error.message]} if error.field else {})
        if fields:
            body["field_errors"] = {
                name: {"developer_message": messages[0]}
                for name, messages in fields.items()
                if messages and name != NON_FIELD
            }
        return body
    inner: dict[str, Any] = {"code": error.code, "message": error.message, "field": error.field}
    if error.details:
        inner["details"] = error.details
    return {"error": inner}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: the one place where errors become HTTP answers."""
    error = api_error_from(exc)
    if error is None:
        return None
    style = ErrorStyle(getattr(context.get("view"), "error_style", ErrorStyle.OURS))
    set_rollback()
    return Response(error_body(error, style), status=error.status, headers=error.headers)


class Pagination(PageNumberPagination):
    """``?page=N&page_size=M`` (default 50, at most 1,000)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 1000


# --------------------------------------------------------------------- documented bodies


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable error code, e.g. `track_not_offered`.")
    message = serializers.CharField(help_text="A sentence for people.")
    field = serializers.CharField(
        allow_null=True, help_text="The request field the error concerns, if any."
    )
    details = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Every message per field, when the request body failed validation.",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """The error body of every endpoint of our own API."""

    error = ErrorDetailSerializer()


class OpenEdxFieldErrorSerializer(serializers.Serializer[Any]):
    developer_message = serializers.CharField()


class OpenEdxErrorSerializer(serializers.Serializer[Any]):
    """Open edX's ``DeveloperErrorViewMixin`` error body (compatibility endpoints)."""

    developer_message = serializers.CharField()
    error_code = serializers.CharField()
    field_errors = serializers.DictField(child=OpenEdxFieldErrorSerializer(), required=False)


_DESCRIPTIONS = {
    400: "Invalid request (the error names the code and the field).",
    403: "Not signed in, CSRF token missing, or not course team of this course.",
    404: "No such course (or job); a path that matches no endpoint answers the site's HTML page.",
    409: "The request conflicts with the current state.",
    413: "The body is larger than the site accepts (`DATA_UPLOAD_MAX_MEMORY_SIZE`).",
}


#: The site's HTML "Not found" page: Django answers it, before any view, for a path that matches
#: no URL pattern (a course id not shaped like a course key, a job id that is not a UUID...).
NOT_ROUTED: dict[Any, Any] = {
    (404, "text/html"): OpenApiResponse(
        OpenApiTypes.STR,
        description="The path matches no endpoint (e.g. a course id not shaped like a course "
        "key): the site's HTML page.",
    )
}


def error_responses(*statuses: int, style: ErrorStyle = ErrorStyle.OURS) -> dict[Any, Any]:
    """``extend_schema(responses=...)`` entries for the error statuses an endpoint can give;
    with 404, also the HTML page of a path that matches no URL (`NOT_ROUTED`)."""
    body = OpenEdxErrorSerializer if style is ErrorStyle.OPENEDX else ErrorSerializer
    responses: dict[Any, Any] = {
        status: OpenApiResponse(response=body, description=_DESCRIPTIONS[status])
        for status in statuses
    }
    return {**responses, **NOT_ROUTED} if 404 in statuses else responses
