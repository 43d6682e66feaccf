from django.urls import path

from enrollment_tracks.ecommerce import apis, staff_views, views, webhook_views
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "ecommerce"

urlpatterns = [
    path("courses/<course_key:course_key>/choose/", views.choose_track, name="choose"),
    # Open edX's path of the same page.
    path("course_modes/choose/<course_key:course_key>/", views.choose_track, name="choose-compat"),
    path("courses/<course_key:course_key>/checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="orders"),
    path("orders/<str:number>/", views.order_receipt, name="order-receipt"),
    path("orders/<str:number>/pay/", views.order_pay, name="order-pay"),
    path("orders/<str:number>/return/", views.order_return, name="order-return"),
    path("orders/<str:number>/refund/", views.order_refund_view, name="order-refund"),
    path("orders/<str:number>/cancel/", views.order_cancel_view, name="order-cancel"),
    path("ecommerce/webhooks/<str:processor>/", webhook_views.webhook, name="webhook"),
    path(
        "api/commerce/v1/orders/<str:number>/",
        apis.CommerceOrderView.as_view(),
        name="api-order",
    ),
    path(
        "courses/<course_key:course_key>/instructor/orders/",
        staff_views.orders_tab,
        name="staff-orders",
    ),
    path(
        "courses/<course_key:course_key>/instructor/orders.csv",
        staff_views.orders_csv,
        name="staff-orders-csv",
    ),
    path(
        "courses/<course_key:course_key>/instructor/orders/<str:number>/",
        staff_views.order_detail,
        name="staff-order",
    ),
    path(
        "courses/<course_key:course_key>/instructor/orders/<str:number>/refund/",
        staff_views.order_refund_staff,
        name="staff-order-refund",
    ),
]
