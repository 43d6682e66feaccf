from django.urls import path

from enrollment_tracks.verification import review_views, views

app_name = "verification"

urlpatterns = [
    path("verify/", views.start, name="start"),
    path("verify/photos/", views.photos, name="photos"),
    path("verify/status/", views.status, name="status"),
    path("verify/attempts/<uuid:public_id>/", views.attempt, name="attempt"),
    path("verify/review/", review_views.queue, name="review-queue"),
    path("verify/review/<uuid:public_id>/", review_views.detail, name="review-detail"),
    path(
        "verify/review/<uuid:public_id>/photos/<str:kind>/",
        review_views.photo,
        name="review-photo",
    ),
    path("verify/review/<uuid:public_id>/decide/", review_views.decide, name="review-decide"),
]
