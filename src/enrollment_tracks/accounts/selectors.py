from __future__ import annotations

from django.http import HttpRequest

from enrollment_tracks.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed a log-in check (views, admin)."""
    user = request.user
    if not isinstance(user, User):
        raise TypeError("request_user() needs a signed-in request")
    return user


def user_find_by_username(username: str) -> User | None:
    """The user with exactly this username, or ``None``."""
    return User.objects.filter(username=username).first()


def user_find_by_email(email: str) -> User | None:
    """The user with this email (emails are unique regardless of case), or ``None``."""
    return User.objects.filter(email__iexact=email.strip()).first()
