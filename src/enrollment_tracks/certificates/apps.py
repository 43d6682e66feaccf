from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "enrollment_tracks.certificates"
    label = "certificates"
    verbose_name = "Certificates"

    def ready(self) -> None:
        from enrollment_tracks.certificates import receivers  # noqa: F401
