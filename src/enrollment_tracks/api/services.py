"""Writes of the api app: registering an OAuth2 client, turning a fresh access token into a JWT."""

from __future__ import annotations

import dataclasses
import hashlib

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import (
    AbstractAccessToken,
    get_access_token_model,
    get_application_model,
)

from enrollment_tracks.accounts.models import User
from enrollment_tracks.api.models import ApplicationAccess, scopes_format, scopes_parse
from enrollment_tracks.api.permissions import ALL_SCOPES
from enrollment_tracks.api.tokens import jwt_encode
from enrollment_tracks.core.errors import Conflict, ValidationFailed


@dataclasses.dataclass(frozen=True, slots=True)
class ApiClientCreated:
    application_id: int
    client_id: str
    client_secret: str  # shown once: only its hash is stored
    scopes: frozenset[str]


def api_client_create(*, name: str, scopes: frozenset[str], user: User) -> ApiClientCreated:
    """Register a confidential client-credentials client acting as ``user`` with ``scopes``.

    The secret is returned in clear once; the database keeps only its hash.
    """
    name = name.strip()
    if not name:
        raise ValidationFailed("Name the client.", code="required", field="name")
    unknown = scopes - ALL_SCOPES
    if unknown:
        raise ValidationFailed(
            f"Unknown scopes: {', '.join(sorted(unknown))}. "
            f"Known: {', '.join(sorted(ALL_SCOPES))}.",
            code="unknown_scope",
            field="scopes",
        )
    if not user.is_active:
        raise ValidationFailed(
            f"The service user {user.username!r} is inactive.", code="inactive_user", field="user"
        )
    application_model = get_application_model()
    secret = generate_client_secret()
    with transaction.atomic():
        if application_model.objects.filter(name=name).exists():
            raise Conflict(f"A client named {name!r} already exists.", code="client_exists")
        application = application_model.objects.create(
            name=name,
            user=user,
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            client_secret=secret,
            hash_client_secret=True,
        )
        ApplicationAccess.objects.create(application=application, scopes=scopes_format(scopes))
    return ApiClientCreated(
        application_id=application.pk,
        client_id=application.client_id,
        client_secret=secret,
        scopes=scopes,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class IssuedJwt:
    token: str
    expires_in: int
    scopes: frozenset[str]

    def as_response(self) -> dict[str, object]:
        """The body of ``/oauth2/access_token`` (``token_type=jwt``), as Open edX answers."""
        return {
            "access_token": self.token,
            "token_type": "JWT",
            "expires_in": self.expires_in,
            "scope": scopes_format(self.scopes),
        }


class NoServiceUser(Exception):
    """The client has no active service user, so its tokens could authenticate no one."""


def _issued_token(access_token: str) -> AbstractAccessToken:
    return (
        get_access_token_model()
        .objects.select_related("user", "application__user")
        .get(token_checksum=hashlib.sha256(access_token.encode()).hexdigest())
    )


def _service_user(token: AbstractAccessToken) -> User | None:
    user = token.user or token.application.user
    return user if user is not None and user.is_active else None


def access_token_require_service_user(*, access_token: str) -> None:
    """Keep an access token django-oauth-toolkit has just issued only if its client has an
    active service user; otherwise delete it and raise :class:`NoServiceUser`."""
    token = _issued_token(access_token)
    if _service_user(token) is None:
        token.delete()
        raise NoServiceUser(token.application.client_id)


def access_token_exchange_for_jwt(*, access_token: str, expires_in: int) -> IssuedJwt:
    """Replace an access token django-oauth-toolkit has just issued by a JWT of the same grant.

    The access token row is deleted: its value never left the server, and the JWT stands alone.
    Raises :class:`NoServiceUser` when the client has no active service user.
    """
    token = _issued_token(access_token)
    user = _service_user(token)
    token.delete()
    if user is None:
        raise NoServiceUser(token.application.client_id)
    scopes = scopes_parse(token.scope)
    jwt = jwt_encode(
        client_id=token.application.client_id,
        username=user.username,
        scopes=scopes,
        issued_at=token.created,
        expires_at=token.expires,
    )
    return IssuedJwt(token=jwt, expires_in=expires_in, scopes=scopes)
