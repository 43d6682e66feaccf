"""Membership tab pages (course team only). Views live in `membership/views.py`."""

from django.urls import path

from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "membership"

urlpatterns: list = []
