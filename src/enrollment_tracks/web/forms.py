from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.types import OfferedTrack, TrackInput


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150)
    name = forms.CharField(label="Full name", max_length=255, required=False)
    email = forms.EmailField()
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password (again)", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned


class LoginForm(AuthenticationForm):
    pass


class EnrollForm(forms.Form):
    """The learner's pick, offered as radios among the tracks they may choose.

    The field only parses the slug: whether the learner may have that track is the enrollment
    service's decision, so a refusal (a paid track, one the course does not offer) is shown
    with the service's reason rather than a bare "not one of the available choices".
    """

    track = forms.CharField(required=False, widget=forms.RadioSelect)

    def __init__(self, *args: Any, choices: list[OfferedTrack], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["track"].widget
        assert isinstance(widget, forms.RadioSelect)
        widget.choices = [(track.slug, track.display_name) for track in choices]


def _track_choices() -> list[tuple[str, str]]:
    return [(slug, catalog.CATALOG[slug].display_name) for slug in catalog.ORDER]


class TrackForm(forms.Form):
    """A course team's form for one track; every rule is checked by the tracks service."""

    slug = forms.ChoiceField(
        label="Track",
        choices=_track_choices,
        error_messages={"invalid_choice": "“%(value)s” is not a track this site knows."},
    )
    display_name = forms.CharField(
        max_length=255, required=False, help_text="Leave empty for the track's usual name."
    )
    price = forms.DecimalField(
        min_value=None, decimal_places=None, max_digits=None, initial=Decimal(0)
    )
    currency = forms.CharField(
        max_length=8, required=False, help_text="ISO 4217 code; empty for the site's currency."
    )
    upgrade_deadline = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="UTC. Only for tracks learners upgrade to (verified).",
    )
    upgrade_deadline_is_explicit = forms.BooleanField(
        label="Lock the upgrade deadline", required=False
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    sku = forms.CharField(label="SKU", max_length=255, required=False)
    bulk_sku = forms.CharField(label="Bulk SKU", max_length=255, required=False)

    def to_input(self) -> TrackInput:
        data = self.cleaned_data
        return TrackInput(
            slug=data["slug"],
            display_name=data["display_name"],
            price=data["price"],
            currency=data["currency"],
            upgrade_deadline=data["upgrade_deadline"],
            upgrade_deadline_is_explicit=data["upgrade_deadline_is_explicit"],
            description=data["description"],
            sku=data["sku"],
            bulk_sku=data["bulk_sku"],
        )


class PinDefaultForm(forms.Form):
    track_id = forms.IntegerField(required=False)
