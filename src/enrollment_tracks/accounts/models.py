from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A person: learner, course team member or operator (``is_staff`` is global staff)."""

    email = models.EmailField("email address")
    name = models.CharField("full name", max_length=255, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username
