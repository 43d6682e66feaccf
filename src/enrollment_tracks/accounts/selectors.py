from __future__ import annotations

from django.http import HttpRequest

from enrollment_tracks.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed a log-in check (views, admin)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("request_user() needs a signed-in request")
    return user
