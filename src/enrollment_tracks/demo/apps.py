from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "enrollment_tracks.demo"
    label = "demo"
    verbose_name = "Demo data"
