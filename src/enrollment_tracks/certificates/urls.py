"""Certificate pages: the Certificates tab (course team) and the public verify page and PDF."""

from django.urls import path, register_converter

from enrollment_tracks.certificates import views
from enrollment_tracks.web import converters  # noqa: F401  (registers <course_key:>)


class VerifyUuidConverter:
    regex = "[0-9a-f]{32}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(VerifyUuidConverter, "verify_uuid")

app_name = "certificates"

_TAB = "courses/<course_key:course_key>/instructor/certificates/"

urlpatterns = [
    path(_TAB, views.certificates_tab, name="tab"),
    path(_TAB + "configuration/", views.configuration_save, name="configuration"),
    path(_TAB + "passing-grade/", views.passing_grade_save, name="passing-grade"),
    path(_TAB + "grades/", views.grades_upload, name="grades"),
    path(_TAB + "lists/", views.exception_add, name="exception-add"),
    path(_TAB + "lists/<str:username>/remove/", views.exception_remove, name="exception-remove"),
    path(_TAB + "generate/", views.generate, name="generate"),
    path(_TAB + "jobs/<uuid:job_id>/progress/", views.job_progress, name="job-progress"),
    path(_TAB + "<verify_uuid:verify_uuid>/revoke/", views.revoke, name="revoke"),
    path(_TAB + "report.csv", views.report, name="report"),
    path("certificates/<verify_uuid:verify_uuid>/", views.verify_page, name="verify"),
    path("certificates/<verify_uuid:verify_uuid>/pdf/", views.pdf_download, name="pdf"),
]
