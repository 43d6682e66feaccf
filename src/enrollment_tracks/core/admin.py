from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.core.models import SiteConfiguration
from enrollment_tracks.core.money import currency_normalise
from enrollment_tracks.core.selectors import site_configuration_row
from enrollment_tracks.core.services import site_configuration_update

_FIELDS = ("platform_name", "ecommerce_enabled", "id_verification_enabled", "default_currency")


class SiteConfigurationForm(ModelForm):
    class Meta:
        model = SiteConfiguration
        fields = _FIELDS

    def clean_default_currency(self) -> str:
        try:
            return currency_normalise(self.cleaned_data["default_currency"])
        except DomainError as error:
            raise ValidationError(error.message) from None


@admin.register(SiteConfiguration)
class SiteConfigurationAdmin(admin.ModelAdmin):
    """One row; the list page opens it directly. Saved through the site-configuration service."""

    form = SiteConfigurationForm
    fields = _FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        row = site_configuration_row()
        return HttpResponseRedirect(reverse("admin:core_siteconfiguration_change", args=[row.pk]))

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        site_configuration_update(**{name: form.cleaned_data[name] for name in _FIELDS})
