"""The Membership tab's form: identifiers (text or CSV), action and options.

The form only parses. Whether a track is offered, whether a reason is needed and how many
identifiers a job may take are the planning service's and the parser's rules: their errors come
back as `ValidationFailed` with the field they concern, shown beside that field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.membership.models import JobAction
from enrollment_tracks.membership.parsing import Entry, parse_csv, parse_text
from enrollment_tracks.membership.planning import JobRequest
from enrollment_tracks.tracks.types import OfferedTrack

#: Open edX's hint under "Auto Enroll", verbatim.
AUTO_ENROLL_HINT = (
    "If this option is checked, users who have not yet registered will be automatically "
    "enrolled. If left unchecked, users who have not yet registered will not be enrolled, but "
    "will be allowed to enroll once they make an account. Checking this box has no effect if "
    "'Unenroll' is selected."
)
#: Generous per identifier (an email address is at most 254 characters), so a file of the
#: largest allowed job always fits, and a huge file is refused before it is decoded.
BYTES_PER_ROW = 400


class MembershipForm(forms.Form):
    identifiers = forms.CharField(
        label="Email addresses and/or usernames",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocapitalize": "off"}),
        help_text="Separated by commas, spaces or new lines.",
    )
    csv_file = forms.FileField(
        label="Or upload a CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=(
            "A header row naming the columns “identifier” and, optionally, “track” "
            "(enroll only); UTF-8, with or without a byte-order mark."
        ),
    )
    action = forms.ChoiceField(
        choices=JobAction.choices, initial=JobAction.ENROLL, widget=forms.RadioSelect
    )
    to_track = forms.CharField(
        label="Track",
        required=False,
        widget=forms.Select,
        help_text="Enroll: leave as the default track, or choose one. Change track: required.",
    )
    from_track = forms.CharField(
        label="Only learners now on",
        required=False,
        widget=forms.Select,
        help_text="Change track only: leave the other learners where they are.",
    )
    auto_enroll = forms.BooleanField(
        label="Auto Enroll", required=False, initial=True, help_text=AUTO_ENROLL_HINT
    )
    notify = forms.BooleanField(label="Notify users by email", required=False, initial=False)
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=1000,
        help_text="Stored in each learner's audit trail. Required to put learners on a paid track.",
    )
    request_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args: Any, tracks: list[OfferedTrack], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = [(track.slug, track.display_name) for track in tracks]
        for name, blank in (("to_track", "The course's default track"), ("from_track", "Any")):
            widget = self.fields[name].widget
            assert isinstance(widget, forms.Select)
            widget.choices = [("", blank), *names]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("csv_file") and (cleaned.get("identifiers") or "").strip():
            self.add_error(
                "identifiers", "Give either a list or a file, not both: clear one of them."
            )
        return cleaned

    def entries(self) -> list[Entry]:
        """The identifiers from the file or the text area (``ValidationFailed`` if unusable)."""
        upload = self.cleaned_data.get("csv_file")
        if upload:
            limit = settings.MEMBERSHIP_MAX_IDENTIFIERS * BYTES_PER_ROW
            if upload.size is not None and upload.size > limit:
                raise ValidationFailed(
                    f"The file is too large ({upload.size:,} bytes): a job takes at most "
                    f"{settings.MEMBERSHIP_MAX_IDENTIFIERS:,} identifiers.",
                    code="too_many_identifiers",
                    field="csv_file",
                )
            return parse_csv(upload.read())
        return parse_text(self.cleaned_data.get("identifiers") or "")

    def to_request(self) -> JobRequest:
        """The job request; options that do not apply to the chosen action are dropped."""
        data = self.cleaned_data
        action = data["action"]
        return JobRequest(
            action=action,
            entries=self.entries(),
            to_track=data["to_track"] if action != JobAction.UNENROLL else "",
            from_track=data["from_track"] if action == JobAction.CHANGE_TRACK else "",
            auto_enroll=bool(data["auto_enroll"]) and action == JobAction.ENROLL,
            notify=bool(data["notify"]),
            reason=data["reason"],
            request_key=data["request_key"],
        )
