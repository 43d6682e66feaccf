"""Learner pages: track selection, checkout, payment, receipt, refund. Each needs a signed-in
learner and shows only their own orders (anybody else's order number is a 404)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrollment_tracks.core import clock
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.ecommerce import adapters, selectors, services
from enrollment_tracks.ecommerce.forms import CardForm, CheckoutForm, RefundForm
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.ecommerce.processors import processor_get
from enrollment_tracks.ecommerce.refunds import (
    learner_refund_refusal,
    order_refund,
    refund_deadline,
)
from enrollment_tracks.ecommerce.states import OrderStatus
from enrollment_tracks.ecommerce.types import PaymentStatus
from enrollment_tracks.enrollments.selectors import enrollment_get
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.selectors import course_default_track
from enrollment_tracks.web.errors import add_to_form, raise_for_page
from enrollment_tracks.web.views.common import course_or_404, current_user


def _order(request: HttpRequest, number: str) -> Order:
    try:
        return selectors.order_for_learner(number=number, learner=current_user(request))
    except DomainError as error:
        raise_for_page(error)
        raise


def _choose_context(request: HttpRequest, course: CourseRun, coupon: str = "") -> dict[str, object]:
    tracks = selectors.tracks_for_sale(course)
    enrollment = enrollment_get(learner=current_user(request), course=course)
    active = enrollment if enrollment and enrollment.is_active else None
    return {
        "course": course,
        "free_tracks": [track for track in tracks if not selectors.is_paid(track)],
        # One idempotency key per rendered form: a double click buys once.
        "paid_offers": [
            {"track": track, "key": uuid.uuid4().hex}
            for track in tracks
            if selectors.is_paid(track)
        ],
        "default_track": course_default_track(course),
        "enrollment": active,
        "enrollment_track": catalog.CATALOG.get(active.track) if active else None,
        "coupon": coupon,
    }


@login_required
@require_GET
def choose_track(request: HttpRequest, course_key: str) -> HttpResponse:
    """The track-selection page: free and paid tracks side by side (Open edX's
    ``/course_modes/choose/``)."""
    course = course_or_404(course_key)
    return render(request, "ecommerce/choose.html", _choose_context(request, course))


@login_required
@require_POST
def checkout(request: HttpRequest, course_key: str) -> HttpResponse:
    course = course_or_404(course_key)
    form = CheckoutForm(request.POST)
    if form.is_valid():
        try:
            result = services.order_checkout(
                learner=current_user(request),
                course=course,
                track=form.cleaned_data["track"],
                coupon_code=form.cleaned_data["coupon"],
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except DomainError as error:
            raise_for_page(error)
            add_to_form(form, error)
        else:
            if result.status == OrderStatus.FULFILLED:
                return _after_payment(request, result.order_number)
            return redirect(result.redirect_url)
    context = _choose_context(request, course, coupon=request.POST.get("coupon", "")[:64])
    context["errors"] = [str(error) for errors in form.errors.values() for error in errors]
    return render(request, "ecommerce/choose.html", context, status=400)


def _after_payment(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt, or ID verification first when the track needs it and it is not done."""
    order = _order(request, number)
    messages.success(request, f"Payment received: you are on the {_track_name(order)} track.")
    spec = catalog.CATALOG.get(order.track)
    if (
        spec is not None
        and spec.needs_id_verification
        and not adapters.user_is_verified(order.user_id)
    ):
        url = adapters.verification_start_url()
        if url:
            return redirect(url)
    return redirect("ecommerce:order-receipt", number=order.number)


def _track_name(order: Order) -> str:
    spec = catalog.CATALOG.get(order.track)
    return spec.display_name if spec else order.track


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request: HttpRequest, number: str) -> HttpResponse:
    """The payment step. The sandbox's card form; another processor's page is linked."""
    order = _order(request, number)
    if order.status in (OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.REFUNDED):
        return redirect("ecommerce:order-receipt", number=order.number)
    if order.status == OrderStatus.CREATED:  # the processor was unreachable: try again
        try:
            services.order_payment_start(order=order)
        except DomainError as error:
            messages.error(request, error.message)
        order.refresh_from_db()
    form = CardForm(request.POST or None)
    status = 200
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.order_payment_confirm(
                order=order,
                fields={
                    "card_number": form.cleaned_data["card_number"],
                    "authentication": form.cleaned_data["authentication"],
                },
                actor=current_user(request),
            )
        except DomainError as error:
            add_to_form(form, error)
            status = 400
        else:
            if outcome.status is PaymentStatus.SUCCEEDED:
                return _after_payment(request, order.number)
            if outcome.status is PaymentStatus.REQUIRES_ACTION:
                needs_confirmation = True
            else:
                form.add_error(None, outcome.message)
                status = 402 if outcome.status is PaymentStatus.DECLINED else 200
        order.refresh_from_db()
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "ecommerce/pay.html",
        {
            "order": order,
            "form": form,
            "needs_confirmation": needs_confirmation,
            "card_number": request.POST.get("card_number", ""),
            "sandbox": processor_get().name == "sandbox",
            "course": order.course,
            "track_name": _track_name(order),
        },
        status=status,
    )


@login_required
@require_GET
def order_return(request: HttpRequest, number: str) -> HttpResponse:
    """Where a hosted payment page sends the learner back (``?session_id=``)."""
    order = _order(request, number)
    try:
        outcome = services.order_payment_confirm(
            order=order,
            fields={"session_id": request.GET.get("session_id", "")},
            actor=current_user(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("ecommerce:order-receipt", number=order.number)
    if outcome.status is PaymentStatus.SUCCEEDED:
        return _after_payment(request, order.number)
    if outcome.message:
        messages.info(request, outcome.message)
    return redirect("ecommerce:order-receipt", number=order.number)


@login_required
@require_GET
def order_receipt(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    now = clock.now()
    refusal = learner_refund_refusal(order, now=now)
    spec = catalog.CATALOG.get(order.track)
    verify_url = None
    if (
        order.status == OrderStatus.FULFILLED
        and spec is not None
        and spec.needs_id_verification
        and not adapters.user_is_verified(order.user_id)
    ):
        verify_url = adapters.verification_start_url()
    return render(
        request,
        "ecommerce/receipt.html",
        {
            "order": order,
            "course": order.course,
            "track_name": _track_name(order),
            "refundable": refusal is None,
            "refund_refusal": refusal
            if order.status in (OrderStatus.PAID, OrderStatus.FULFILLED)
            else None,
            "refund_deadline": refund_deadline(order),
            "refund_form": RefundForm(),
            "verify_url": verify_url,
            "refunds": selectors.order_refunds(order),
        },
    )


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ecommerce/orders.html",
        {"orders": selectors.orders_for_learner(current_user(request))},
    )


@login_required
@require_POST
def order_refund_view(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    form = RefundForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        order_refund(order=order, actor=current_user(request), reason=reason, by_staff=False)
    except DomainError as error:
        raise_for_page(error)
        messages.error(request, error.message)
        return redirect("ecommerce:order-receipt", number=order.number)
    messages.success(
        request,
        f"Order {order.number} is refunded; you are back on the free track of {order.course.title}."
        if course_default_track(order.course)
        else f"Order {order.number} is refunded and you have left {order.course.title}.",
    )
    return redirect("ecommerce:order-receipt", number=order.number)


@login_required
@require_POST
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    order = _order(request, number)
    try:
        services.order_cancel(order=order, actor=current_user(request))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, f"Order {order.number} is cancelled. Nothing was charged.")
    return redirect("web:course-about", course_key=order.course.key)
