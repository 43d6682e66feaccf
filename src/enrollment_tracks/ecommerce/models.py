"""Orders, their history, coupons, the money ledger and stored processor events.

Rows are written only by this app's services; ``save()`` does no workflow.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce.states import OrderStatus


class CouponKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FIXED = "fixed", "Fixed amount off"


class Coupon(models.Model):
    """A per-course discount code. Its uses are the orders that carry it (not failed/cancelled)."""

    course = models.ForeignKey(CourseRun, on_delete=models.CASCADE, related_name="coupons")
    code = models.CharField(max_length=64, help_text="Stored upper-case; learners type any case.")
    kind = models.CharField(max_length=16, choices=CouponKind.choices)
    value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text="Percent (1-100) for a percentage coupon, an amount for a fixed one.",
    )
    currency = models.CharField(
        max_length=3, blank=True, help_text="For a fixed amount: the currency it is in."
    )
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: no limit on the number of orders."
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "code"], name="coupon_code_per_course"),
            models.CheckConstraint(condition=Q(value__gt=0), name="coupon_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100),
                name="coupon_percentage_lte_100",
            ),
        ]
        ordering = ("course", "code")

    def __str__(self) -> str:
        return f"{self.code} ({self.course.key})"


class Order(models.Model):
    """One learner buying one track of one course, at a price fixed at checkout."""

    number = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(CourseRun, on_delete=models.PROTECT, related_name="+")
    track = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    coupon = models.ForeignKey(
        Coupon, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.CREATED
    )
    processor = models.CharField(max_length=64, blank=True)
    checkout_reference = models.CharField(
        max_length=255, blank=True, help_text="The processor's checkout (session) id."
    )
    payment_url = models.CharField(
        max_length=1000, blank=True, help_text="Where the learner pays (the processor's page)."
    )
    payment_reference = models.CharField(
        max_length=255, blank=True, help_text="The processor's id of the captured payment."
    )
    idempotency_key = models.CharField(max_length=64)
    failure_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="order_idempotency_key_per_user"
            ),
            models.UniqueConstraint(
                fields=["processor", "payment_reference"],
                condition=~Q(payment_reference=""),
                name="order_one_per_payment",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="order_price_gte_0"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            # total = price - discount is the service's; SQLite compares decimals as floats.
            models.CheckConstraint(
                condition=Q(discount__gte=0) & Q(discount__lte=models.F("price")),
                name="order_discount_within_price",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "-created_at"], name="order_course_created"),
            models.Index(fields=["user", "course", "status"], name="order_user_course_status"),
            models.Index(fields=["status", "paid_at"], name="order_status_paid"),
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Order {self.number}"


class HistoryQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise TypeError("Order history is append-only.")

    def delete(self) -> NoReturn:
        raise TypeError("Order history is append-only.")


class OrderHistory(models.Model):
    """Append-only: one row per status change of an order."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="history")
    status_before = models.CharField(max_length=16, choices=OrderStatus.choices, blank=True)
    status_after = models.CharField(max_length=16, choices=OrderStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name_plural = "order history"

    def __str__(self) -> str:
        return f"{self.order.number}: {self.status_before or '—'} → {self.status_after}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("Order history is append-only.")
        super().save(*args, **kwargs)


class LedgerKind(models.TextChoices):
    CAPTURE = "capture", "Captured"
    REFUND = "refund", "Refunded"


class LedgerEntry(models.Model):
    """Money that moved at the processor: a capture or a refund, each recorded once."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    processor = models.CharField(max_length=64)
    reference = models.CharField(max_length=255)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "kind", "reference"], name="ledger_entry_once"
            ),
            models.UniqueConstraint(fields=["order", "kind"], name="ledger_one_kind_per_order"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_amount_gt_0"),
        ]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.order.number})"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed at the processor"


class Refund(models.Model):
    """A refund of an order. At most one that is not failed per order; its key is reused."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    status = models.CharField(max_length=16, choices=RefundStatus.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=64, unique=True)
    processor_reference = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=~Q(status="failed"),
                name="refund_one_live_per_order",
            )
        ]
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Refund of {self.order.number} ({self.status})"


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received (to process)"
    PROCESSED = "processed", "Processed"
    IGNORED = "ignored", "Ignored (no effect on the order)"
    REJECTED = "rejected", "Rejected"


class ProcessorEvent(models.Model):
    """An incoming webhook, stored before it is acted on; processed from this row."""

    processor = models.CharField(max_length=64)
    # NULL, not "", for rejected deliveries: the unique constraint ignores NULLs.
    event_id = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, help_text="Empty for a rejected delivery."
    )
    event_type = models.CharField(max_length=128, blank=True)
    kind = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=EventStatus.choices)
    order_number = models.CharField(max_length=32, blank=True)
    payment_reference = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    payload = models.JSONField(default=dict)
    raw_body = models.TextField(blank=True, help_text="Kept for rejected deliveries only.")
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["processor", "event_id"],
                condition=Q(event_id__isnull=False),
                name="processor_event_once",
            )
        ]
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.processor} {self.event_type or '?'} {self.event_id or '(rejected)'}"
