from django.contrib.auth import views as auth_views
from django.urls import path

from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)
from enrollment_tracks.web.forms import LoginForm
from enrollment_tracks.web.views import accounts, instructor, learner

app_name = "web"

urlpatterns = [
    path("", learner.catalog_page, name="catalog"),
    path("dashboard/", learner.dashboard, name="dashboard"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("courses/<course_key:course_key>/", learner.course_about, name="course-about"),
    path("courses/<course_key:course_key>/enroll/", learner.course_enroll, name="course-enroll"),
    path(
        "courses/<course_key:course_key>/unenroll/", learner.course_unenroll, name="course-unenroll"
    ),
    path(
        "courses/<course_key:course_key>/instructor/",
        instructor.tracks_tab,
        name="instructor-tracks",
    ),
    path(
        "courses/<course_key:course_key>/instructor/tracks/add/",
        instructor.track_add,
        name="instructor-track-add",
    ),
    path(
        "courses/<course_key:course_key>/instructor/tracks/<int:track_id>/edit/",
        instructor.track_edit,
        name="instructor-track-edit",
    ),
    path(
        "courses/<course_key:course_key>/instructor/tracks/<int:track_id>/delete/",
        instructor.track_delete,
        name="instructor-track-delete",
    ),
    path(
        "courses/<course_key:course_key>/instructor/tracks/default/",
        instructor.track_pin_default,
        name="instructor-track-default",
    ),
    path(
        "courses/<course_key:course_key>/instructor/audit/",
        instructor.audit_tab,
        name="instructor-audit",
    ),
]
