from django.urls import path

from enrollment_tracks.verification import apis

app_name = "verification-api"

urlpatterns = [
    # Open edX's path (user API v1), with its trailing slash.
    path(
        "api/user/v1/accounts/<str:username>/verification_status/",
        apis.VerificationStatusView.as_view(),
        name="status",
    ),
    path("api/verification/v1/attempts/", apis.AttemptListView.as_view(), name="attempt-list"),
    path(
        "api/verification/v1/attempts/<uuid:attempt_id>/",
        apis.AttemptDetailView.as_view(),
        name="attempt-detail",
    ),
]
