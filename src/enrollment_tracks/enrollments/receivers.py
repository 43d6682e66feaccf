"""Reactions to other domains: an account becoming active redeems its auto-enroll invitations."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from enrollment_tracks.accounts.models import User


@receiver(post_save, sender=User, dispatch_uid="enrollments.redeem_invitations")
def redeem_invitations_on_activation(
    sender: type[User], instance: User, raw: bool = False, **kwargs: Any
) -> None:
    if raw or not instance.is_active or not instance.email:
        return
    from enrollment_tracks.enrollments.services import invitations_redeem

    user_id = instance.pk

    def redeem() -> None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            invitations_redeem(user=user)

    transaction.on_commit(redeem)
