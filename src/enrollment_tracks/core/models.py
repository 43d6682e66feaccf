from __future__ import annotations

from django.db import models


class SiteConfiguration(models.Model):
    """The site's switches: one row (pk 1), created from ``settings.SITE_DEFAULTS`` when first read.

    Read it through :func:`enrollment_tracks.core.selectors.site_configuration_get`; write it
    through :func:`enrollment_tracks.core.services.site_configuration_update`.
    """

    SINGLETON_PK = 1

    platform_name = models.CharField(max_length=100)
    ecommerce_enabled = models.BooleanField(
        "E-commerce enabled",
        default=False,
        help_text="Paid tracks (verified, professional, ...) can only be offered while this is on.",
    )
    id_verification_enabled = models.BooleanField(
        "ID verification enabled",
        default=False,
        help_text="Tracks that need an ID verification (verified, professional) need this on.",
    )
    default_currency = models.CharField(
        max_length=3, help_text="Lower-case ISO 4217 code used for new tracks, e.g. usd."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "site configuration"
        verbose_name_plural = "site configuration"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="site_configuration_singleton")
        ]

    def __str__(self) -> str:
        return f"Site configuration of {self.platform_name}"
