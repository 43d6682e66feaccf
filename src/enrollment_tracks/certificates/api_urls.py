"""Certificate APIs: Open edX's certificates API v0 and our own v1 course-team endpoints."""

from django.urls import path

from enrollment_tracks.certificates import apis
from enrollment_tracks.certificates import urls as _page_urls  # noqa: F401  (<verify_uuid:>)
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "certificates-api"

V0 = "api/certificates/v0/certificates/<str:username>/"
V1 = "api/certificates/v1/courses/<course_key:course_key>/"

urlpatterns = [
    path(V0, apis.CertificateListView.as_view(), name="v0-list"),
    path(
        V0 + "courses/<course_key:course_key>/",
        apis.CertificateDetailView.as_view(),
        name="v0-detail",
    ),
    path(V1 + "configuration/", apis.ConfigurationView.as_view(), name="configuration"),
    path(V1 + "passing-grade/", apis.PassingGradeView.as_view(), name="passing-grade"),
    path(V1 + "grades/", apis.GradesView.as_view(), name="grades"),
    path(V1 + "lists/", apis.ListsView.as_view(), name="lists"),
    path(V1 + "lists/<str:username>/", apis.ListEntryView.as_view(), name="list-entry"),
    path(V1 + "jobs/", apis.GenerationJobsView.as_view(), name="jobs"),
    path(V1 + "jobs/<uuid:job_id>/", apis.GenerationJobView.as_view(), name="job"),
    path(V1 + "certificates/", apis.CertificatesView.as_view(), name="certificates"),
    path(
        V1 + "certificates/<verify_uuid:verify_uuid>/revoke/",
        apis.RevokeView.as_view(),
        name="revoke",
    ),
]
