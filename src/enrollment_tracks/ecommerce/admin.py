"""Operators' view of orders, coupons, refunds and webhook events. Orders, refunds and events
are read-only here: they change only through the services (the staff refund page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from enrollment_tracks.core.admin_base import ReadOnlyAdmin
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.ecommerce.models import (
    Coupon,
    LedgerEntry,
    Order,
    OrderHistory,
    ProcessorEvent,
    Refund,
)
from enrollment_tracks.ecommerce.services import coupon_create


class OrderHistoryInline(admin.TabularInline):
    model = OrderHistory
    extra = 0
    fields = ("created_at", "status_before", "status_after", "actor", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "user",
        "course",
        "track",
        "total",
        "currency",
        "status",
        "created_at",
    )
    list_filter = ("status", "processor", "track")
    search_fields = ("number", "user__username", "user__email", "course__key", "payment_reference")
    list_select_related = ("user", "course")
    inlines = [OrderHistoryInline]
    date_hierarchy = "created_at"


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "course",
        "kind",
        "value",
        "currency",
        "max_uses",
        "expires_at",
        "is_active",
    )
    list_filter = ("kind", "is_active")
    search_fields = ("code", "course__key")
    list_select_related = ("course",)
    fields = ("course", "code", "kind", "value", "currency", "max_uses", "expires_at", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Code, kind and value are fixed once orders may carry the coupon.
        return ("course", "code", "kind", "value", "currency") if obj else ()

    def save_model(self, request: HttpRequest, obj: Coupon, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["max_uses", "expires_at", "is_active"])
            return
        try:
            created = coupon_create(
                actor=request.user,  # type: ignore[arg-type]
                course=obj.course,
                code=obj.code,
                kind=obj.kind,
                value=obj.value,
                currency=obj.currency,
                max_uses=obj.max_uses,
                expires_at=obj.expires_at,
            )
        except DomainError as error:
            messages.error(request, error.message)
            return
        obj.pk = created.pk


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("order", "status", "amount", "actor", "created_at")
    list_filter = ("status",)
    search_fields = ("order__number",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("order", "kind", "amount", "currency", "processor", "reference", "created_at")
    list_filter = ("kind", "currency", "processor")
    search_fields = ("order__number", "reference")


@admin.register(ProcessorEvent)
class ProcessorEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "processor", "event_type", "event_id", "status", "order_number")
    list_filter = ("status", "processor", "event_type")
    search_fields = ("event_id", "order_number")
