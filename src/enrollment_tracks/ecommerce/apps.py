from django.apps import AppConfig


class EcommerceConfig(AppConfig):
    name = "enrollment_tracks.ecommerce"
    label = "ecommerce"
    verbose_name = "E-commerce (orders, coupons, payments)"

    def ready(self) -> None:
        from enrollment_tracks.ecommerce import checks  # noqa: F401  (registers the checks)
