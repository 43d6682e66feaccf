"""Stripe's webhook signature scheme (``t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">``).

The sandbox processor signs and verifies its own webhooks with it; the Stripe processor uses
the ``stripe`` SDK, which implements the same scheme.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from enrollment_tracks.core import clock


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_problem(secret: str, body: bytes, header: str, *, tolerance: int) -> str | None:
    """Why the header does not sign ``body`` with ``secret`` now, or ``None`` when it does."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return "The signature header has no timestamp."
    expected = signature_header(secret, body, timestamp).split("v1=", 1)[1]
    if not any(hmac.compare_digest(expected, given) for given in parts.get("v1", [])):
        return "The signature does not match the body."
    age = clock.now() - dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)
    if abs(age.total_seconds()) > tolerance:
        return f"The signature's timestamp is outside the {tolerance}-second tolerance."
    return None
