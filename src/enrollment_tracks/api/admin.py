"""django-oauth-toolkit's Application admin, with the scopes granted to each client inline.

Selected by ``OAUTH2_PROVIDER["APPLICATION_ADMIN_CLASS"]``; django-oauth-toolkit registers it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from oauth2_provider.admin import ApplicationAdmin as BaseApplicationAdmin

from enrollment_tracks.api.models import ApplicationAccess, scopes_format, scopes_parse
from enrollment_tracks.api.permissions import ALL_SCOPES


class ApplicationAccessForm(forms.ModelForm[ApplicationAccess]):
    scopes = forms.MultipleChoiceField(
        choices=[(scope, scope) for scope in sorted(ALL_SCOPES)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="What this client may do. It acts as the application's user.",
    )

    class Meta:
        model = ApplicationAccess
        fields = ["scopes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["scopes"] = sorted(scopes_parse(self.instance.scopes))

    def clean_scopes(self) -> str:
        return scopes_format(set(self.cleaned_data["scopes"]))


class ApplicationAccessInline(admin.StackedInline[ApplicationAccess, Any]):
    model = ApplicationAccess
    form = ApplicationAccessForm
    can_delete = False
    min_num = 1
    max_num = 1
    verbose_name = "API scopes"


class ApplicationAdmin(BaseApplicationAdmin):
    """Each Application is a service client acting as its ``user`` (the service user)."""

    inlines = [ApplicationAccessInline]
