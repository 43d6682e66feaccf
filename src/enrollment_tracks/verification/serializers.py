from __future__ import annotations

from typing import Any

from rest_framework import serializers


class VerificationStatusSerializer(serializers.Serializer[Any]):
    """Open edX's ``IDVerificationStatusView`` body."""

    is_verified = serializers.BooleanField(help_text="True when the status is `approved`.")
    status = serializers.ChoiceField(
        choices=["pending", "approved", "expired", "must_reverify"],
        help_text=(
            "Open edX's status: `pending` (waiting for review), `approved` (valid now), "
            "`expired`, `must_reverify` (denied, or new photos asked for). A learner with no "
            "submitted attempt (`none`) answers 404."
        ),
    )
    expiration_datetime = serializers.DateTimeField(
        allow_null=True, help_text="When the approval expires (ISO 8601), else null."
    )


class AttemptSubmitSerializer(serializers.Serializer[Any]):
    face_photo = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="A JPEG or PNG of the learner's face (webcam picture).",
    )
    id_photo = serializers.FileField(
        required=False,
        allow_empty_file=True,
        help_text="A JPEG or PNG of a government-issued photo ID.",
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="The name as on the ID."
    )
    submission_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=(
            "Any string unique to this submission: sending it again answers the same attempt "
            "(200) instead of creating another."
        ),
    )


class AttemptSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id", help_text="The attempt's public id.")
    status = serializers.ChoiceField(
        choices=["created", "submitted", "approved", "denied", "must_retry", "expired"]
    )
    review_mode = serializers.ChoiceField(choices=["automatic", "manual"])
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(
        help_text=(
            "Why it was denied or new photos are needed; for an automatic approval, that "
            "nothing was compared; empty otherwise."
        )
    )
    photos_deleted = serializers.SerializerMethodField()

    def get_photos_deleted(self, attempt: Any) -> bool:
        return attempt.photos_deleted_at is not None
