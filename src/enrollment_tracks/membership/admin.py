"""Operators' view of batch jobs: read-only; jobs are made on the Membership tab or by commands."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from enrollment_tracks.membership.models import JobTransition, MembershipJob


class JobTransitionInline(admin.TabularInline):
    model = JobTransition
    extra = 0
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MembershipJob)
class MembershipJobAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "course",
        "action",
        "to_track",
        "status",
        "done",
        "total",
        "created_by",
        "source",
    )
    list_filter = ("status", "action", "source")
    search_fields = ("id", "course__key", "created_by__username", "reason")
    list_select_related = ("course", "created_by")
    inlines = (JobTransitionInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in MembershipJob._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
