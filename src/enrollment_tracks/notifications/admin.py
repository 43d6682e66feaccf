"""The email outbox for operators: read only, plus "Requeue" for parked messages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment_tracks.core.admin_base import ReadOnlyAdmin
from enrollment_tracks.notifications.models import OutboxContext, OutboxMessage
from enrollment_tracks.notifications.services import outbox_requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Parked messages can be requeued (`outbox_requeue`); nothing else is edited here."""

    list_display = (
        "created_at",
        "to_email",
        "message_type",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "message_type")
    search_fields = ("to_email", "key")
    date_hierarchy = "created_at"
    actions = ("requeue",)

    @admin.display(description="last error")
    def short_error(self, message: OutboxMessage) -> str:
        error = message.last_error
        return error if len(error) <= 80 else error[:79] + "…"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Requeue the selected parked messages", permissions=["change"])
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        selected = list(queryset.values_list("pk", flat=True))
        count = outbox_requeue(selected)
        skipped = len(selected) - count
        note = f" ({skipped} not parked, left as they are)" if skipped else ""
        self.message_user(request, f"{count} message(s) requeued{note}.", messages.SUCCESS)


@admin.register(OutboxContext)
class OutboxContextAdmin(ReadOnlyAdmin):
    """The template context that a batch's messages share (a message's own context updates it)."""

    list_display = ("pk", "created_at")
    date_hierarchy = "created_at"
