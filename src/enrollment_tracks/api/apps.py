from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "enrollment_tracks.api"
    label = "api"
    verbose_name = "API clients"

    def ready(self) -> None:
        from enrollment_tracks.api import checks, schema  # noqa: F401  (registration)
