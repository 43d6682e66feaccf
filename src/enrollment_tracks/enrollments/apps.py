from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "enrollment_tracks.enrollments"
    label = "enrollments"
    verbose_name = "Enrollments"

    def ready(self) -> None:
        from enrollment_tracks.enrollments import receivers  # noqa: F401
