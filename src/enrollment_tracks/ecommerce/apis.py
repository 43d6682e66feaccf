"""Open edX's ``GET /api/commerce/v1/orders/{number}/``: an order, as the e-commerce service
answers it (Open edX proxies it; here the shop is built in)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from enrollment_tracks.api.callers import api_caller
from enrollment_tracks.api.permissions import may_write_commerce
from enrollment_tracks.core.errors import NotFound
from enrollment_tracks.ecommerce.models import Order
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.api_compat import COMPAT_TAG, OpenEdxCompatView
from enrollment_tracks.tracks.apis import errors

ORDER_EXAMPLE = {
    "number": "ET-3F9A0B12CD",
    "status": "Complete",
    "currency": "USD",
    "total_excl_tax": "49.00",
    "discount": "0.00",
    "date_placed": "2026-10-01T12:00:00Z",
    "payment_processor": "sandbox",
    "user": {"username": "alice", "email": "alice@example.org"},
    "lines": [
        {
            "title": "Verified Certificate: Demonstration Course",
            "quantity": 1,
            "unit_price_excl_tax": "49.00",
            "line_price_excl_tax": "49.00",
            "status": "Complete",
            "course_id": "course-v1:edX+DemoX+Demo_Course",
            "certificate_type": catalog.VERIFIED,
        }
    ],
}
#: Our statuses → the e-commerce service's (django-oscar pipeline names).
STATUS_NAMES = {
    "created": "Pending",
    "pending": "Pending",
    "paid": "Open",
    "fulfilled": "Complete",
    "failed": "Payment Error",
    "cancelled": "Cancelled",
    "refunded": "Refunded",
}


class OrderUserSerializer(serializers.Serializer):
    username = serializers.CharField()
    email = serializers.EmailField()


class OrderLineSerializer(serializers.Serializer):
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_excl_tax = serializers.CharField()
    line_price_excl_tax = serializers.CharField()
    status = serializers.CharField()
    course_id = serializers.CharField()
    certificate_type = serializers.CharField()


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    currency = serializers.CharField()
    total_excl_tax = serializers.CharField()
    discount = serializers.CharField()
    date_placed = serializers.DateTimeField()
    payment_processor = serializers.CharField()
    user = OrderUserSerializer()
    lines = OrderLineSerializer(many=True)


def _body(order: Order) -> dict[str, object]:
    spec = catalog.CATALOG.get(order.track)
    status = STATUS_NAMES[order.status]
    return {
        "number": order.number,
        "status": status,
        "currency": order.currency.upper(),
        "total_excl_tax": f"{order.total:.2f}",
        "discount": f"{order.discount:.2f}",
        "date_placed": order.created_at,
        "payment_processor": order.processor,
        "user": {"username": order.user.username, "email": order.user.email},
        "lines": [
            {
                "title": f"{catalog.commerce_display_name(order.track)}: {order.course.title}"
                if spec
                else order.course.title,
                "quantity": 1,
                "unit_price_excl_tax": f"{order.price:.2f}",
                "line_price_excl_tax": f"{order.total:.2f}",
                "status": status,
                "course_id": order.course.key,
                "certificate_type": order.track,
            }
        ],
    }


class CommerceOrderView(OpenEdxCompatView):
    """One order by its number."""

    @extend_schema(
        operation_id="commerce_v1_orders_retrieve",
        tags=[COMPAT_TAG],
        summary="An order by its number (Open edX-compatible)",
        description=(
            "The order as Open edX's e-commerce service describes it: status in its words "
            "(`Pending`, `Open` for paid, `Complete` for fulfilled, `Payment Error`, "
            "`Cancelled`, `Refunded`), amounts as strings, one line with the course and the "
            "track (`certificate_type`). Another learner's order answers 404, as an unknown "
            "number does.\n\n**Permissions**: the learner who placed the order, global staff, "
            "or a service client with the scope `commerce:write`."
        ),
        responses={
            200: OpenApiResponse(
                OrderSerializer, examples=[OpenApiExample("Fulfilled", value=ORDER_EXAMPLE)]
            ),
            **errors(401, 403, 404),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        caller = api_caller(request)
        order = Order.objects.select_related("user", "course").filter(number=number).first()
        mine = order is not None and caller.user is not None and order.user_id == caller.user.pk
        if order is None or not (mine or may_write_commerce(caller)):
            raise NotFound(f"Order {number} not found.", code="order_not_found")
        return Response(OrderSerializer(_body(order)).data)
