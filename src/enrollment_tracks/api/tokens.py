"""The JWTs that ``/oauth2/access_token`` answers with ``token_type=jwt``: signing and checking.

HS256 with ``settings.JWT_SECRET_KEY``; ``iss`` and ``aud`` are ``settings.JWT_ISSUER`` and
``settings.JWT_AUDIENCE``. Claims (Open edX's names where it has one):

* ``client_id``: the OAuth2 client (django-oauth-toolkit Application);
* ``preferred_username``: the client's service user (the Application's ``user``);
* ``scopes``: the granted scopes, a list;
* ``iat``, ``exp``, ``jti``, ``iss``, ``aud``, and ``sub`` (the username again).

Token lifetimes follow the wall clock (as django-oauth-toolkit's tokens do), not ``core.clock``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

import jwt
from django.conf import settings

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["iss", "aud", "iat", "exp", "client_id", "preferred_username", "scopes"]


class JwtRejected(Exception):
    """The token is not one of ours or no longer valid; ``str()`` is a sentence for the caller."""


@dataclasses.dataclass(frozen=True, slots=True)
class JwtClaims:
    client_id: str
    username: str
    scopes: frozenset[str]
    expires_at: dt.datetime


def jwt_encode(
    *,
    client_id: str,
    username: str,
    scopes: frozenset[str] | set[str],
    issued_at: dt.datetime,
    expires_at: dt.datetime,
) -> str:
    payload: dict[str, Any] = {
        "iss": settings.JWT_ISSUER,
        "aud": settings.JWT_AUDIENCE,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
        "jti": uuid.uuid4().hex,
        "sub": username,
        "client_id": client_id,
        "preferred_username": username,
        "scopes": sorted(scopes),
        "grant_type": "client_credentials",
    }
    return jwt.encode(payload, settings.JWT_SECRET_KEY, algorithm=ALGORITHM)


def jwt_decode(token: str) -> JwtClaims:
    """Check signature, issuer, audience and expiry; raise :class:`JwtRejected` otherwise."""
    try:
        payload = jwt.decode(
            token,
            settings.JWT_SECRET_KEY,
            algorithms=[ALGORITHM],
            audience=settings.JWT_AUDIENCE,
            issuer=settings.JWT_ISSUER,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise JwtRejected("The JWT has expired; ask /oauth2/access_token for a new one.") from None
    except (jwt.InvalidAudienceError, jwt.InvalidIssuerError):
        raise JwtRejected("The JWT was not issued for this service.") from None
    except jwt.MissingRequiredClaimError as error:
        raise JwtRejected(f"The JWT lacks the {error.claim!r} claim.") from None
    except jwt.InvalidTokenError:
        raise JwtRejected("The JWT is invalid (malformed or wrongly signed).") from None
    client_id, username, scopes = (
        payload["client_id"],
        payload["preferred_username"],
        payload["scopes"],
    )
    if not (
        isinstance(client_id, str)
        and isinstance(username, str)
        and isinstance(scopes, list)
        and all(isinstance(scope, str) for scope in scopes)
    ):
        raise JwtRejected("The JWT's claims have the wrong types.")
    return JwtClaims(
        client_id=client_id,
        username=username,
        scopes=frozenset(scopes),
        expires_at=dt.datetime.fromtimestamp(payload["exp"], tz=dt.UTC),
    )
