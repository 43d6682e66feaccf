from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "enrollment_tracks.api"
    label = "api"
    verbose_name = "API clients"
