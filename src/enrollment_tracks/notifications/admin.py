from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment_tracks.notifications.models import OutboxMessage
from enrollment_tracks.notifications.services import outbox_requeue


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The email outbox. Parked messages can be requeued; nothing else is edited here."""

    list_display = (
        "created_at",
        "to_email",
        "message_type",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    )
    list_filter = ("status", "message_type")
    search_fields = ("to_email", "key")
    actions = ("requeue",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Requeue the selected parked messages")
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_requeue(queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) requeued.", messages.SUCCESS)
