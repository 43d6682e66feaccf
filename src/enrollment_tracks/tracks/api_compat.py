"""What the Open edX-compatible track APIs (Course Modes v1, Commerce v1) share.

* :class:`OpenEdxCompatView`: who may call at all (a person or a service client; the predicates
  of `api.permissions` decide the rest, in each view) and errors in Open edX's shape;
* :func:`openedx_fields`: a service error re-raised under the API's field names
  (``price`` → ``min_price``);
* :class:`MergePatchParser`: the only body a course mode PATCH accepts.

Error bodies: `core.api.exception_handler` maps every error to its status and to our
``ErrorStyle.OPENEDX`` body (``developer_message``, ``error_code``, ``field_errors``). These two
APIs are plain DRF views in Open edX, so their clients read DRF's own keys: ``{"detail": ...}``,
or ``{field: [messages]}`` for a 400. :func:`compat_exception_handler` adds those keys to the
same body; the status and the stable code stay core's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from enrollment_tracks.accounts.models import User
from enrollment_tracks.api.callers import ApiCaller, api_caller
from enrollment_tracks.core.api import NON_FIELD, ErrorStyle, exception_handler
from enrollment_tracks.core.errors import DomainError, PermissionDenied
from enrollment_tracks.core.request_size import BoundedBodyView

COMPAT_TAG = "openedx-compatible"

#: DRF's message, which Open edX's views answer with.
NOT_PERMITTED = "You do not have permission to perform this action."


class MergePatchParser(JSONParser):
    """JSON under Open edX's required ``application/merge-patch+json`` content type."""

    media_type = "application/merge-patch+json"


class IsApiCaller(BasePermission):
    """A signed-in person or an authenticated service client (else 401/403 from DRF)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        caller = api_caller(request)
        return caller.user is not None or caller.is_client


def actor_of(caller: ApiCaller) -> User | None:
    """Who the audit trail names: the person; ``None`` for a service client (no user of ours)."""
    return None if caller.is_client else caller.user


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_PERMITTED, code="permission_denied")


@contextlib.contextmanager
def openedx_fields(
    names: Mapping[str, str],
    *,
    item: str = "",
    messages: Mapping[str, tuple[str, str | None]] | None = None,
) -> Iterator[None]:
    """Re-raise a service's ``DomainError`` as the API names things.

    ``names`` maps the service's field to the API's (``price`` → ``min_price``). With ``item``
    (e.g. ``modes``), an error carrying ``params["index"]`` names ``modes[1].price``.
    ``messages`` maps an error code to Open edX's message and field (``None``: no field).
    """
    try:
        yield
    except DomainError as error:
        field: str | None
        if messages and error.code in messages:
            message, field = messages[error.code]
        else:
            message = error.message
            field = names.get(error.field, error.field) if error.field else None
            index = error.params.get("index")
            if item and index is not None:
                field = f"{item}[{index}].{field}" if field else f"{item}[{index}]"
        raise type(error)(message, code=error.code, field=field, **error.params) from None


def _drf_keys(exc: Exception, body: Mapping[str, Any]) -> dict[str, Any]:
    """The keys DRF's own error body would have (what Open edX's plain DRF views answer)."""
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return dict(detail) if isinstance(detail, dict) else {NON_FIELD: detail}
    if isinstance(exc, DomainError) and exc.http_status == 400:
        return {exc.field or NON_FIELD: [exc.message]}
    return {"detail": body.get("developer_message", "")}


def compat_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Core's handler (status, code, Open edX's ``developer_message`` body) plus DRF's keys."""
    response = exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict):
        response.data = {**_drf_keys(exc, response.data), **response.data}
    return response


class OpenEdxCompatView(BoundedBodyView):
    """Base of the Course Modes and Commerce API views."""

    error_style = ErrorStyle.OPENEDX
    permission_classes = [IsApiCaller]

    def get_exception_handler(self) -> Any:
        return compat_exception_handler
