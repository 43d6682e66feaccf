from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "enrollment_tracks.notifications"
    label = "notifications"
    verbose_name = "Notifications"
