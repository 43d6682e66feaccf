from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "enrollment_tracks.courses"
    label = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        from enrollment_tracks.courses import permissions  # noqa: F401  (registers rules perms)
