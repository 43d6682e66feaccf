"""Rate limits of the API.

:class:`EnrollmentWriteThrottle` limits enrollment writes per caller: a person by user id, an
OAuth2 or JWT client by client id. The rate is ``settings.ENROLLMENT_WRITE_RATE`` (DRF notation,
``"60/minute"``), read on each request. Reads (GET, HEAD, OPTIONS) are never counted, so a view
may list it for every method. The legacy API key is never throttled, as in Open edX.

Over the limit DRF raises ``Throttled``; ``core.api.exception_handler`` answers 429 with
``Retry-After`` (whole seconds, at least 1). Counts live in the default cache: set ``REDIS_URL``
so every worker process shares them (the local-memory cache counts per process).
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from enrollment_tracks.api.callers import Via, api_caller


class EnrollmentWriteThrottle(SimpleRateThrottle):
    scope = "enrollment_write"

    def get_rate(self) -> str | None:
        rate: str = settings.ENROLLMENT_WRITE_RATE
        return rate or None

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        caller = api_caller(request)
        if caller.via is Via.API_KEY:
            return None
        if caller.is_client:
            ident = f"client:{caller.client_id}"
        elif caller.user is not None:
            ident = f"user:{caller.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def wait(self) -> float | None:
        remaining = super().wait()
        return None if remaining is None else float(max(1, math.ceil(remaining)))
