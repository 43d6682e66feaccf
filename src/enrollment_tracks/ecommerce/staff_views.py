"""Course-team pages: a course's orders (list, CSV export), an order with its history, and
the staff refund. The course team of the course and global staff only; others get 403."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.core.money import Money
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce import selectors
from enrollment_tracks.ecommerce.forms import StaffRefundForm
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.ecommerce.permissions import can_manage_orders
from enrollment_tracks.ecommerce.refunds import order_refund
from enrollment_tracks.ecommerce.states import OrderStatus
from enrollment_tracks.membership.parsing import neutralise_cell
from enrollment_tracks.web.errors import raise_for_page
from enrollment_tracks.web.views.common import course_or_404, current_user

PAGE_SIZE = 200
CSV_COLUMNS = (
    "number",
    "username",
    "email",
    "track",
    "status",
    "currency",
    "price",
    "discount",
    "total",
    "coupon",
    "created_at",
    "paid_at",
    "fulfilled_at",
    "refunded_at",
)


def _managed_course(request: HttpRequest, course_key: str) -> CourseRun:
    course = course_or_404(course_key)
    if not can_manage_orders(request.user, course):
        raise DjangoPermissionDenied("Only the course team can see this course's orders.")
    return course


def _order(course: CourseRun, number: str) -> Order:
    try:
        return selectors.order_in_course(number=number, course=course)
    except DomainError as error:
        raise_for_page(error)
        raise


@login_required
@require_GET
def orders_tab(request: HttpRequest, course_key: str) -> HttpResponse:
    course = _managed_course(request, course_key)
    status = request.GET.get("status", "")
    if status not in OrderStatus.values:
        status = ""
    orders = selectors.orders_for_course(course, status=status)
    return render(
        request,
        "ecommerce/staff/orders.html",
        {
            "course": course,
            "tab": "orders",
            "orders": orders[:PAGE_SIZE],
            "count": orders.count(),
            "page_size": PAGE_SIZE,
            "status": status,
            "statuses": OrderStatus.choices,
        },
    )


class _Line:
    def write(self, value: str) -> str:
        return value


def _csv_rows(course: CourseRun) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    rows = selectors.orders_for_course(course).values_list(
        "number",
        "user__username",
        "user__email",
        "track",
        "status",
        "currency",
        "price",
        "discount",
        "total",
        "coupon__code",
        "created_at",
        "paid_at",
        "fulfilled_at",
        "refunded_at",
    )
    for row in rows.iterator(2000):
        cells = ["" if value is None else str(value) for value in row]
        yield writer.writerow([neutralise_cell(cell) for cell in cells])


@login_required
@require_GET
def orders_csv(request: HttpRequest, course_key: str) -> StreamingHttpResponse:
    course = _managed_course(request, course_key)
    response = StreamingHttpResponse(_csv_rows(course), content_type="text/csv")
    filename = f"orders-{course.key.replace(':', '_').replace('+', '_')}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def order_detail(request: HttpRequest, course_key: str, number: str) -> HttpResponse:
    course = _managed_course(request, course_key)
    order = _order(course, number)
    return _detail(request, course, order, StaffRefundForm())


def _detail(
    request: HttpRequest, course: CourseRun, order: Order, form: StaffRefundForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "ecommerce/staff/order.html",
        {
            "course": course,
            "tab": "orders",
            "order": order,
            "total": Money(order.total, order.currency),
            "history": selectors.order_history(order),
            "refunds": selectors.order_refunds(order),
            "ledger": order.ledger.order_by("created_at"),
            "refundable": order.status in (OrderStatus.PAID, OrderStatus.FULFILLED),
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def order_refund_staff(request: HttpRequest, course_key: str, number: str) -> HttpResponse:
    course = _managed_course(request, course_key)
    order = _order(course, number)
    form = StaffRefundForm(request.POST)
    if form.is_valid():
        try:
            order_refund(
                order=order,
                actor=current_user(request),
                reason=form.cleaned_data["reason"],
                by_staff=True,
            )
        except DomainError as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, f"Order {order.number} is refunded.")
            return redirect("ecommerce:staff-order", course_key=course.key, number=order.number)
    order.refresh_from_db()
    return _detail(request, course, order, form, status=400)
