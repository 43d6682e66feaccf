"""DRF authentication classes for service clients; the browser keeps DRF's SessionAuthentication.

Each class recognises one kind of credential and leaves ``request.auth`` as a
:class:`ClientAuth` (which satisfies ``callers.ClientCredentials``):

* :class:`BearerTokenAuthentication`: ``Authorization: Bearer <token>``, a django-oauth-toolkit
  access token. ``request.user`` is the token's client's service user (the Application's
  ``user``).
* :class:`JwtAuthentication`: ``Authorization: JWT <jwt>`` (Open edX's scheme) or
  ``Authorization: Bearer <jwt>``, a JWT signed by ``/oauth2/access_token``. A bearer value
  with exactly two dots is a JWT (access tokens of django-oauth-toolkit have none).
* :class:`ApiKeyAuthentication`: Open edX's ``X-Edx-Api-Key`` equal to ``settings.EDX_API_KEY``;
  off while that setting is empty. ``request.user`` stays anonymous, as in Open edX.

A class returns ``None`` when the request carries no credential of its kind, so the next class
can try. A credential of its kind that is wrong (unknown, expired, badly signed, its client or
service user gone) answers **401** with a ``WWW-Authenticate`` challenge, whichever class is
first in ``DEFAULT_AUTHENTICATION_CLASSES``; a request with no credential at all is left to the
permission check (DRF's 403 while session authentication comes first).

The client's scopes are those of its token, narrowed to those its Application still holds, so
taking a scope away in the admin takes effect at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from oauth2_provider.models import get_access_token_model, get_application_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from enrollment_tracks.accounts.models import User
from enrollment_tracks.api.callers import Via
from enrollment_tracks.api.permissions import ALL_SCOPES
from enrollment_tracks.api.scopes import application_scopes
from enrollment_tracks.api.tokens import JwtRejected, jwt_decode

REALM = "api"
API_KEY_HEADER = "X-Edx-Api-Key"


@dataclasses.dataclass(frozen=True, slots=True)
class ClientAuth:
    """``request.auth`` for a service client (see ``callers.ClientCredentials``)."""

    client_id: str
    scopes: frozenset[str]
    via: Via


class CredentialRejected(exceptions.APIException):
    """401 for a presented credential that is wrong.

    Deliberately not DRF's ``AuthenticationFailed``: DRF turns that into 403 whenever the first
    authentication class (the session) names no scheme, and a wrong token is a 401 (RFC 6750).
    ``core.api.exception_handler`` copies ``auth_header`` into ``WWW-Authenticate``.
    """

    status_code = 401
    default_detail = "The credentials are invalid."
    default_code = "invalid_token"

    def __init__(self, message: str, *, challenge: str, code: str = "invalid_token") -> None:
        super().__init__(message, code=code)
        self.auth_header = challenge


def _challenge(scheme: str, message: str = "") -> str:
    if not message:
        return f'{scheme} realm="{REALM}"'
    description = message.replace('"', "'")
    return f'{scheme} realm="{REALM}", error="invalid_token", error_description="{description}"'


@dataclasses.dataclass(frozen=True, slots=True)
class _Authorization:
    scheme: str  # lower case
    value: str


def _authorization(request: Request) -> _Authorization | None:
    """The ``Authorization`` header when its scheme is Bearer or JWT, else ``None``."""
    parts = get_authorization_header(request).split()
    if not parts:
        return None
    scheme = parts[0].lower()
    if scheme not in (b"bearer", b"jwt"):
        return None  # Basic, or another scheme: not ours to judge
    name = "Bearer" if scheme == b"bearer" else "JWT"
    if len(parts) != 2:
        message = f"Malformed Authorization header: use '{name} <token>'."
        raise CredentialRejected(message, challenge=_challenge(name, message))
    try:
        value = parts[1].decode("ascii")
    except UnicodeDecodeError:
        message = "The token contains characters a token never has."
        raise CredentialRejected(message, challenge=_challenge(name, message)) from None
    return _Authorization(scheme=scheme.decode(), value=value)


def _looks_like_jwt(value: str) -> bool:
    return value.count(".") == 2


def _service_user(user: User | None, challenge_scheme: str) -> User:
    if user is None:
        message = "This client has no service user; an administrator must set one."
    elif not user.is_active:
        message = "This client's service user is inactive."
    else:
        return user
    raise CredentialRejected(message, challenge=_challenge(challenge_scheme, message))


class BearerTokenAuthentication(BaseAuthentication):
    """A django-oauth-toolkit access token: ``Authorization: Bearer <token>``."""

    def authenticate(self, request: Request) -> tuple[User, ClientAuth] | None:
        header = _authorization(request)
        if header is None or header.scheme != "bearer" or _looks_like_jwt(header.value):
            return None
        checksum = hashlib.sha256(header.value.encode()).hexdigest()
        token = (
            get_access_token_model()
            .objects.select_related("user", "application__user", "application__access")
            .filter(token_checksum=checksum)
            .first()
        )
        if token is None or token.application is None:
            message = "The access token is invalid."
        elif token.is_expired():
            message = "The access token has expired; ask /oauth2/access_token for a new one."
        else:
            message = ""
        if message:
            raise CredentialRejected(message, challenge=_challenge("Bearer", message))
        application = token.application
        user = _service_user(token.user or application.user, "Bearer")
        scopes = frozenset(token.scope.split()) & application_scopes(application)
        return user, ClientAuth(client_id=application.client_id, scopes=scopes, via=Via.OAUTH2)

    def authenticate_header(self, request: Request) -> str:
        return _challenge("Bearer")


class JwtAuthentication(BaseAuthentication):
    """A JWT we signed: ``Authorization: JWT <jwt>`` or ``Authorization: Bearer <jwt>``."""

    def authenticate(self, request: Request) -> tuple[User, ClientAuth] | None:
        header = _authorization(request)
        if header is None:
            return None
        if header.scheme == "bearer" and not _looks_like_jwt(header.value):
            return None  # an opaque access token: BearerTokenAuthentication's
        scheme = "JWT" if header.scheme == "jwt" else "Bearer"
        try:
            claims = jwt_decode(header.value)
        except JwtRejected as error:
            raise CredentialRejected(str(error), challenge=_challenge(scheme, str(error))) from None
        application = (
            get_application_model()
            .objects.select_related("user", "access")
            .filter(client_id=claims.client_id)
            .first()
        )
        if application is None:
            message = "The JWT's client no longer exists."
            raise CredentialRejected(message, challenge=_challenge(scheme, message))
        user = _service_user(application.user, scheme)
        if user.username != claims.username:
            message = "The JWT's service user is no longer its client's; ask for a new token."
            raise CredentialRejected(message, challenge=_challenge(scheme, message))
        scopes = claims.scopes & application_scopes(application)
        return user, ClientAuth(client_id=application.client_id, scopes=scopes, via=Via.JWT)

    def authenticate_header(self, request: Request) -> str:
        return _challenge("JWT")


class ApiKeyAuthentication(BaseAuthentication):
    """Open edX's legacy ``X-Edx-Api-Key``: every scope, no user; off unless configured.

    Unlike Open edX, an empty ``EDX_API_KEY`` never lets requests through (Open edX does so
    with ``DEBUG`` on).
    """

    def authenticate(self, request: Request) -> tuple[Any, ClientAuth] | None:
        presented = request.META.get("HTTP_X_EDX_API_KEY", "")
        expected: str = settings.EDX_API_KEY
        if not presented or not expected:
            return None  # no header, or the legacy key is off: the header means nothing
        if not hmac.compare_digest(presented.encode(), expected.encode()):
            raise CredentialRejected(
                f"The {API_KEY_HEADER} header does not match the configured key.",
                challenge=self.authenticate_header(request),
                code="invalid_api_key",
            )
        return AnonymousUser(), ClientAuth(client_id="", scopes=ALL_SCOPES, via=Via.API_KEY)

    def authenticate_header(self, request: Request) -> str:
        return f'{API_KEY_HEADER} realm="{REALM}"'
