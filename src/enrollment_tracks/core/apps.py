from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "enrollment_tracks.core"
    label = "core"
    verbose_name = "Site"

    def ready(self) -> None:
        from enrollment_tracks.core import checks  # noqa: F401  (registers system checks)
