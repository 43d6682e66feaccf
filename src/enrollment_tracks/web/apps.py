from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "enrollment_tracks.web"
    label = "web"
    verbose_name = "Web pages"
