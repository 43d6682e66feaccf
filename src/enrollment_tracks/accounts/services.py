from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from enrollment_tracks.accounts.models import User
from enrollment_tracks.core.errors import Conflict, ValidationFailed


def user_register(*, username: str, email: str, password: str, name: str = "") -> User:
    """Create an active account. Invitations for the email are honoured by the enrollments app.

    Usernames and emails are unique regardless of case.
    """
    username = username.strip()
    email = email.strip()
    if not username:
        raise ValidationFailed("Choose a username.", code="required", field="username")
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            "Enter a valid email address.", code="invalid_email", field="email"
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("That username is taken.", code="username_taken", field="username")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            "An account with this email already exists.", code="email_taken", field="email"
        )
    candidate = User(username=username, email=email, name=name.strip())
    try:
        validate_password(password, candidate)
    except DjangoValidationError as error:
        raise ValidationFailed(
            " ".join(error.messages), code="weak_password", field="password1"
        ) from None
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        raise Conflict(
            "That username or email is already registered.", code="account_exists"
        ) from None
    return candidate
