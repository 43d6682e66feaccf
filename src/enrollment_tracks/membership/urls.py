"""Membership tab pages (course team only). Views live in `membership/views.py`."""

from django.urls import path

from enrollment_tracks.membership import views
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "membership"

_TAB = "courses/<course_key:course_key>/instructor/membership/"
_JOB = _TAB + "jobs/<uuid:job_id>/"

urlpatterns = [
    path(_TAB, views.membership_tab, name="tab"),
    path(_JOB, views.job_page, name="job"),
    path(_JOB + "progress/", views.job_progress, name="job-progress"),
    path(_JOB + "confirm/", views.job_confirm, name="job-confirm"),
    path(_JOB + "cancel/", views.job_cancel, name="job-cancel"),
    path(_JOB + "retry/", views.job_retry, name="job-retry"),
    path(_JOB + "results.csv", views.job_results_csv, name="job-results"),
]
