"""Membership APIs: Open edX's students_update_enrollment and our own job endpoints."""

from django.urls import path

from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "membership-api"

urlpatterns: list = []
