"""The project's URLs plus the ceiling views under ``bench/ceiling/`` (benchmark server only)."""

from django.urls import path

from bench import ceiling
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("bench/ceiling/enrollment", ceiling.enrollment_post, name="bench-ceiling-post"),
    path(
        "bench/ceiling/enrollment/<course_key:course_id>",
        ceiling.enrollment_get,
        name="bench-ceiling-get",
    ),
]
