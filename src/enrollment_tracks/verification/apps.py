from django.apps import AppConfig


class VerificationConfig(AppConfig):
    name = "enrollment_tracks.verification"
    label = "verification"
    verbose_name = "ID verification"

    def ready(self) -> None:
        from enrollment_tracks.verification import checks  # noqa: F401  (registers the checks)
