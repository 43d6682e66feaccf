"""Open edX's Course Modes API v1 and Commerce API v1 (courses), at Open edX's paths."""

from django.urls import path

from enrollment_tracks.tracks import apis, commerce_apis
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "tracks-api"

MODES = "api/course_modes/v1/courses/<course_key:course_id>/"
COMMERCE = "api/commerce/v1/courses/"

urlpatterns = [
    path(MODES, apis.CourseModesView.as_view(), name="course-modes"),
    # Open edX's exact path: no trailing slash after the mode.
    path(MODES + "<str:mode_slug>", apis.CourseModeDetailView.as_view(), name="course-mode"),
    path(COMMERCE, commerce_apis.CommerceCourseListView.as_view(), name="commerce-courses"),
    path(
        COMMERCE + "<course_key:course_id>/",
        commerce_apis.CommerceCourseView.as_view(),
        name="commerce-course",
    ),
]
