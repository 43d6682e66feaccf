"""Forms of the Certificates tab. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from enrollment_tracks.certificates.eligibility import ListEntry
from enrollment_tracks.certificates.models import MAX_SIGNATORIES, CertificateConfiguration
from enrollment_tracks.certificates.types import ConfigurationInput, SignatoryInput

POSITIONS = range(1, MAX_SIGNATORIES + 1)


class ConfigurationForm(forms.Form):
    title = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    organisation_name = forms.CharField(max_length=255, label="Organisation name")
    organisation_logo = forms.ImageField(required=False, label="Organisation logo")
    is_active = forms.BooleanField(required=False, label="Active: issue certificates")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for position in POSITIONS:
            self.fields[f"signatory_{position}_name"] = forms.CharField(
                max_length=255, required=False, label=f"Signatory {position}: name"
            )
            self.fields[f"signatory_{position}_title"] = forms.CharField(
                max_length=255, required=False, label=f"Signatory {position}: title"
            )
            self.fields[f"signatory_{position}_signature"] = forms.ImageField(
                required=False, label=f"Signatory {position}: signature image"
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("title", "description", "organisation_name")] + [
            self["organisation_logo"],
            self["is_active"],
        ]

    def signatory_groups(self) -> list[tuple[int, list[forms.BoundField]]]:
        """One (position, [name, title, signature]) group per signatory, for a fieldset each."""
        return [
            (p, [self[f"signatory_{p}_{part}"] for part in ("name", "title", "signature")])
            for p in POSITIONS
        ]

    @staticmethod
    def initial_from(configuration: CertificateConfiguration | None) -> dict[str, Any]:
        if configuration is None:
            return {}
        initial: dict[str, Any] = {
            "title": configuration.title,
            "description": configuration.description,
            "organisation_name": configuration.organisation_name,
            "is_active": configuration.is_active,
        }
        for signatory in configuration.signatories.all():
            initial[f"signatory_{signatory.position}_name"] = signatory.name
            initial[f"signatory_{signatory.position}_title"] = signatory.title
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for position in POSITIONS:
            name = data.get(f"signatory_{position}_name", "")
            title = data.get(f"signatory_{position}_title", "")
            if bool(name) != bool(title):
                missing = "title" if name else "name"
                self.add_error(
                    f"signatory_{position}_{missing}",
                    f"Give signatory {position} both a name and a title (or neither).",
                )
        return data

    def to_input(self) -> ConfigurationInput:
        data = self.cleaned_data
        signatories = tuple(
            SignatoryInput(data[f"signatory_{p}_name"], data[f"signatory_{p}_title"])
            for p in POSITIONS
            if data.get(f"signatory_{p}_name")
        )
        return ConfigurationInput(
            title=data["title"],
            description=data.get("description", ""),
            organisation_name=data["organisation_name"],
            is_active=data.get("is_active", False),
            signatories=signatories,
        )

    def signatures(self) -> dict[int, UploadedFile]:
        """New signature images by final position (signatories without a name are dropped)."""
        data = self.cleaned_data
        filled = [p for p in POSITIONS if data.get(f"signatory_{p}_name")]
        return {
            final: data[f"signatory_{p}_signature"]
            for final, p in enumerate(filled, start=1)
            if data.get(f"signatory_{p}_signature")
        }


class PassingGradeForm(forms.Form):
    passing_grade = forms.CharField(max_length=16, label="Passing grade (%)")


class GradesUploadForm(forms.Form):
    file = forms.FileField(
        label="Grades CSV",
        help_text="A header row with identifier (username or email) and grade (0-100).",
    )


class ExceptionForm(forms.Form):
    user = forms.CharField(max_length=255, label="Learner (username or email)")
    kind = forms.ChoiceField(
        choices=[
            (ListEntry.ALLOW.value, "Allow list: issue without a passing grade"),
            (ListEntry.BLOCK.value, "Block list: never issue"),
        ],
        label="List",
    )
    reason = forms.CharField(max_length=1000, label="Reason")


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=1000, label="Reason")
