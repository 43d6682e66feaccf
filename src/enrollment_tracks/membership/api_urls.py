"""Membership APIs: Open edX's students_update_enrollment and our own job endpoints."""

from django.urls import path

from enrollment_tracks.membership import apis
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "membership-api"

JOBS = "api/membership/v1/courses/<course_key:course_key>/jobs/"
JOB = JOBS + "<uuid:job_id>/"

urlpatterns = [
    # Open edX's exact path: no trailing slash.
    path(
        "courses/<course_key:course_key>/instructor/api/students_update_enrollment",
        apis.StudentsUpdateEnrollmentView.as_view(),
        name="students-update-enrollment",
    ),
    path(JOBS, apis.JobListView.as_view(), name="job-list"),
    path(JOB, apis.JobDetailView.as_view(), name="job-detail"),
    path(JOB + "confirm/", apis.JobConfirmView.as_view(), name="job-confirm"),
    path(JOB + "cancel/", apis.JobCancelView.as_view(), name="job-cancel"),
    path(JOB + "retry/", apis.JobRetryView.as_view(), name="job-retry"),
    path(JOB + "results/", apis.JobResultsView.as_view(), name="job-results"),
]
