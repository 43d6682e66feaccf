from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "enrollment_tracks.membership"
    label = "membership"
    verbose_name = "Membership (batch jobs)"
