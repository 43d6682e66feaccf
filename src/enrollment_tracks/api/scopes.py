"""django-oauth-toolkit's scopes backend: each Application gets only the scopes granted to it.

Selected by ``OAUTH2_PROVIDER["SCOPES_BACKEND_CLASS"]``. A token request naming scopes beyond
the grant fails with ``invalid_scope``; one naming none receives every granted scope.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from oauth2_provider.scopes import BaseScopes
from oauth2_provider.settings import oauth2_settings

from enrollment_tracks.api.permissions import ALL_SCOPES


def application_scopes(application: Any) -> frozenset[str]:
    """The scopes granted to ``application`` (none without an ``ApplicationAccess`` row)."""
    try:
        access = application.access
    except ObjectDoesNotExist:
        return frozenset()
    return frozenset(access.scope_set)


class ApplicationScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {
            name: description
            for name, description in oauth2_settings.SCOPES.items()
            if name in ALL_SCOPES
        }

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        if application is None:
            return sorted(self.get_all_scopes())
        return sorted(application_scopes(application))

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return self.get_available_scopes(application, request)
