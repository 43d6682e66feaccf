"""Operators' view of verifications: read only (decisions are made on the review pages, where
photos are shown and every look is logged). The review mode is edited here; course verification
deadlines belong to the tracks app. Keys, nonces and storage names are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from enrollment_tracks.verification.models import (
    AttemptEvent,
    ReviewSettings,
    VerificationAttempt,
)
from enrollment_tracks.verification.selectors import REVIEW_MODE_CACHE_KEY


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = AttemptEvent
    fields = ("at", "kind", "from_status", "to_status", "photo_kind", "actor", "reason")
    readonly_fields = fields


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "user",
        "status",
        "review_mode",
        "submitted_at",
        "expires_at",
        "photos_deleted_at",
        "integrity_failed_at",
    )
    list_filter = ("status", "review_mode")
    search_fields = ("user__username", "user__email", "public_id")
    list_select_related = ("user",)
    fields = (
        "public_id",
        "user",
        "status",
        "name",
        "review_mode",
        "created_at",
        "submitted_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "expires_at",
        "expiry_reminder_sent_at",
        "photos_delete_after",
        "photos_deleted_at",
        "integrity_failed_at",
        "review_link",
    )
    readonly_fields = fields
    inlines = [EventInline]

    @admin.display(description="Review page")
    def review_link(self, attempt: VerificationAttempt) -> str:
        url = reverse("verification:review-detail", args=[attempt.public_id])
        return format_html('<a href="{}">Open the review page</a>', url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReviewSettings)
class ReviewSettingsAdmin(admin.ModelAdmin):
    list_display = ("review_mode", "updated_at")
    fields = ("review_mode",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ReviewSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: ReviewSettings, form: Any, change: bool
    ) -> None:
        obj.pk = ReviewSettings.SINGLETON_PK
        super().save_model(request, obj, form, change)
        cache.delete(REVIEW_MODE_CACHE_KEY)
