"""Request bodies too large for an API: 413 with a message, before anything reads them.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` is one limit for the whole site, raised for the membership
upload (a pasted list of 100,000 identifiers). Django refuses a larger body with a bare HTML
400 (``RequestDataTooBig``); `api_exception_of` turns that into a 413 for the API handlers.
Endpoints whose bodies are small (an enrollment, a course mode) keep Django's default limit
through `BoundedBodyView`, which refuses a larger body from its ``Content-Length`` alone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.views import APIView

#: Django's default ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB): plenty for any small JSON body.
SMALL_BODY_BYTES = 2_621_440


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def request_too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(
        f"The request body is too large: this endpoint accepts at most {limit} bytes."
    )


def api_exception_of(exc: Exception) -> Exception:
    """Django's refusal of a body over the site's limit, as a 413; anything else unchanged."""
    if isinstance(exc, RequestDataTooBig):
        return request_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return exc


def _content_length(request: Request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BoundedBodyView(APIView):
    """An API view refusing (413) a body over ``max_body_bytes`` before authentication, the
    CSRF check or a parser reads it."""

    max_body_bytes: int = SMALL_BODY_BYTES

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if _content_length(request) > self.max_body_bytes:
            raise request_too_large(self.max_body_bytes)
        super().initial(request, *args, **kwargs)
