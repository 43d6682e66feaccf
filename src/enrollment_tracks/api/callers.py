"""Who is calling an API: one frozen value built from the request's authentication.

Authentication classes (session, OAuth2 bearer, JWT, legacy API key) leave ``request.user`` and
``request.auth``; :func:`api_caller` turns them into an :class:`ApiCaller`, which views and the
predicates in `permissions.py` use. Nothing else looks at ``request.auth``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.http import HttpRequest

from enrollment_tracks.accounts.models import User


class Via(enum.StrEnum):
    ANONYMOUS = "anonymous"
    SESSION = "session"
    OAUTH2 = "oauth2"  # bearer token of django-oauth-toolkit
    JWT = "jwt"  # a JWT we signed at /oauth2/access_token
    API_KEY = "api_key"  # the legacy X-Edx-Api-Key header (off unless configured)


class ClientCredentials(Protocol):
    """What an authentication class puts in ``request.auth`` for a service client."""

    client_id: str
    scopes: frozenset[str]
    via: Via


@dataclass(frozen=True, slots=True)
class ApiCaller:
    user: User | None
    via: Via
    client_id: str = ""
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_client(self) -> bool:
        """A service (OAuth2 client, JWT or API key) rather than a person in a browser."""
        return self.via in (Via.OAUTH2, Via.JWT, Via.API_KEY)

    @property
    def label(self) -> str:
        """How the audit trail names this caller."""
        if self.is_client:
            return f"{self.via.value}:{self.client_id or 'legacy-key'}"
        return self.user.username if self.user else "anonymous"


def api_caller(request: HttpRequest | Any) -> ApiCaller:
    user = getattr(request, "user", None)
    person = user if isinstance(user, User) and user.is_authenticated else None
    auth = getattr(request, "auth", None)
    via = getattr(auth, "via", None)
    if isinstance(via, Via):
        return ApiCaller(
            user=person,
            via=via,
            client_id=str(getattr(auth, "client_id", "")),
            scopes=frozenset(getattr(auth, "scopes", frozenset())),
        )
    return ApiCaller(user=person, via=Via.SESSION if person else Via.ANONYMOUS)
