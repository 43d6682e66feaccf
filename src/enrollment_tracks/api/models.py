"""What each OAuth2 client may do: the scopes granted to a django-oauth-toolkit Application.

The Application itself (client id, hashed secret, grant type, service ``user``) is
django-oauth-toolkit's model; this app adds one row per Application naming its scopes, as Open
edX's ``ApplicationAccess`` does.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from oauth2_provider.settings import oauth2_settings

from enrollment_tracks.api.permissions import ALL_SCOPES


def scopes_parse(value: str) -> frozenset[str]:
    """The scope names in a space-separated string (OAuth2's own notation)."""
    return frozenset(value.split())


def scopes_format(scopes: frozenset[str] | set[str]) -> str:
    return " ".join(sorted(scopes))


class ApplicationAccess(models.Model):
    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="access",
    )
    scopes = models.CharField(
        max_length=255,
        blank=True,
        help_text="Space-separated scopes this client may ask for (and gets when it asks none).",
    )

    class Meta:
        verbose_name = "API access"
        verbose_name_plural = "API access"

    def __str__(self) -> str:
        return self.scopes or "(no scopes)"

    def clean(self) -> None:
        unknown = scopes_parse(self.scopes) - ALL_SCOPES
        if unknown:
            raise ValidationError(
                {"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."}, code="unknown_scope"
            )

    @property
    def scope_set(self) -> frozenset[str]:
        """The granted scopes we know (an unknown name stored by hand grants nothing)."""
        return scopes_parse(self.scopes) & ALL_SCOPES
