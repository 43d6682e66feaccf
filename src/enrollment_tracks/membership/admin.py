"""Operators' view of batch jobs: read only. Jobs are made on the Membership tab, by the APIs or
by the operators' commands, and change only through the job services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from enrollment_tracks.membership.models import JobItem, JobResult, JobTransition, MembershipJob


def _count_of(model: type[JobItem] | type[JobResult]) -> Coalesce:
    """Rows of ``model`` for the job of the outer row (one indexed count per listed job)."""
    counted = (
        model.objects.filter(job=OuterRef("pk"))
        .order_by()
        .values("job")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class JobTransitionInline(admin.TabularInline):
    model = JobTransition
    extra = 0
    fields = ("created_at", "from_status", "to_status", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
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
        "items_count",
        "results_count",
        "created_by",
        "source",
    )
    list_filter = ("status", "action", "source")
    search_fields = ("id", "course__key", "created_by__username", "reason")
    list_select_related = ("course", "created_by")
    date_hierarchy = "created_at"
    inlines = (JobTransitionInline,)
    fieldsets = (
        (None, {"fields": ("id", "course", "action", "from_track", "to_track", "status")}),
        (
            "Options",
            {"fields": ("auto_enroll", "notify", "reason", "source", "created_by", "request_key")},
        ),
        (
            "Progress",
            {
                "fields": (
                    "total",
                    "done",
                    "items_count",
                    "results_count",
                    "plan_counts",
                    "counts",
                    "error",
                    "cancel_requested",
                    "runner",
                )
            },
        ),
        (
            "Times",
            {"fields": ("created_at", "queued_at", "started_at", "heartbeat_at", "finished_at")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[MembershipJob]:
        return (
            super()
            .get_queryset(request)
            .annotate(items_n=_count_of(JobItem), results_n=_count_of(JobResult))
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in MembershipJob._meta.fields] + [
            "items_count",
            "results_count",
        ]

    @admin.display(description="items", ordering="items_n")
    def items_count(self, job: MembershipJob) -> int:
        return int(getattr(job, "items_n", 0))

    @admin.display(description="results", ordering="results_n")
    def results_count(self, job: MembershipJob) -> int:
        return int(getattr(job, "results_n", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
