from django.apps import AppConfig


class TracksConfig(AppConfig):
    name = "enrollment_tracks.tracks"
    label = "tracks"
    verbose_name = "Tracks"
