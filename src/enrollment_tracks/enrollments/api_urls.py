"""Open edX's Enrollment API v1, at Open edX's paths (no trailing slash where Open edX has none)."""

from django.urls import path, re_path

from enrollment_tracks.courses.keys import COURSE_KEY_URL_PATTERN
from enrollment_tracks.enrollments import apis, apis_staff
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)

app_name = "enrollment-api"

V1 = "api/enrollment/v1/"
#: Open edX's ``USERNAME_PATTERN``; the comma that follows it cannot be part of a username.
USERNAME = r"(?P<username>[\w.@+-]+)"

urlpatterns = [
    # Before `enrollment/<course_key>`, whose pattern would also match "name,key".
    re_path(
        rf"^{V1}enrollment/{USERNAME},(?P<course_id>{COURSE_KEY_URL_PATTERN})$",
        apis.UserEnrollmentView.as_view(),
        name="user-enrollment",
    ),
    path(
        V1 + "enrollment/<course_key:course_id>", apis.EnrollmentView.as_view(), name="enrollment"
    ),
    path(V1 + "enrollment", apis.EnrollmentListView.as_view(), name="enrollment-list"),
    re_path(
        rf"^{V1}enrollments/?$", apis_staff.CourseEnrollmentsView.as_view(), name="enrollments"
    ),
    path(V1 + "course/<course_key:course_id>", apis.EnrollmentCourseView.as_view(), name="course"),
    path(V1 + "roles/", apis.EnrollmentRolesView.as_view(), name="roles"),
    path(
        V1 + "enrollment_allowed/",
        apis_staff.EnrollmentAllowedView.as_view(),
        name="enrollment-allowed",
    ),
]
