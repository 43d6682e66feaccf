"""Whether learners hold an approved ID verification, read through the verification app.

The only place this app asks about ID verification. When the ``enrollment_tracks.verification``
app is not installed, nobody counts as verified (so verified and professional learners get the
``unverified`` status, never a certificate).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable

from django.apps import apps
from django.db.models import QuerySet

VERIFICATION_APP = "enrollment_tracks.verification"


def verification_installed() -> bool:
    return apps.is_installed(VERIFICATION_APP)


def users_verified(user_ids: Iterable[int], *, at: dt.datetime | None = None) -> set[int]:
    """The ids among ``user_ids`` with an approved, unexpired verification (set-based).

    A queryset of user ids is passed on as it is: the verification app reads it as a subquery,
    one statement however many learners.
    """
    if not verification_installed():
        return set()
    ids = user_ids if isinstance(user_ids, QuerySet) else list(user_ids)
    if not isinstance(ids, QuerySet) and not ids:
        return set()
    # Imported by name: this app must import (and type-check) without the verification app.
    selectors = importlib.import_module(f"{VERIFICATION_APP}.selectors")
    return {int(user_id) for user_id in selectors.users_verified(ids, at=at)}


def user_is_verified(user_id: int, *, at: dt.datetime | None = None) -> bool:
    return user_id in users_verified([user_id], at=at)
