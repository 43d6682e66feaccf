"""Operators' view of course tracks; every write goes through the tracks services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.tracks import catalog, services
from enrollment_tracks.tracks.models import CourseTrack, CourseTrackHistory
from enrollment_tracks.tracks.types import TrackInput

_INPUT_FIELDS = (
    "slug",
    "display_name",
    "price",
    "currency",
    "upgrade_deadline",
    "upgrade_deadline_is_explicit",
    "description",
    "sku",
    "bulk_sku",
)


class CourseTrackAdminForm(forms.ModelForm):
    slug = forms.ChoiceField(
        label="Track",
        choices=[(slug, catalog.CATALOG[slug].display_name) for slug in catalog.ORDER],
    )

    class Meta:
        model = CourseTrack
        fields = ("course", *_INPUT_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        course = cleaned.get("course") or getattr(self.instance, "course", None)
        if course is None:
            return cleaned
        values: dict[str, Any] = {name: cleaned.get(name) for name in _INPUT_FIELDS}
        for text in ("display_name", "currency", "description", "sku", "bulk_sku"):
            values[text] = values[text] or ""
        self.track_input = TrackInput(**values)
        existing = CourseTrack.objects.get(pk=self.instance.pk) if self.instance.pk else None
        try:
            services.course_track_check(course=course, data=self.track_input, existing=existing)
        except DomainError as error:
            raise ValidationError({error.field or "__all__": error.message}) from None
        return cleaned

    def validate_unique(self) -> None:
        """Uniqueness is the service's check (with a clearer message)."""


@admin.register(CourseTrack)
class CourseTrackAdmin(admin.ModelAdmin):
    form = CourseTrackAdminForm
    list_display = ("course", "slug", "display_name", "price", "currency", "upgrade_deadline")
    list_filter = ("slug",)
    search_fields = ("course__key", "slug")
    autocomplete_fields = ("course",)

    def get_readonly_fields(self, request: HttpRequest, obj: CourseTrack | None = None) -> Any:
        return ("course", "is_pinned_default") if obj else ("is_pinned_default",)

    def save_model(self, request: HttpRequest, obj: CourseTrack, form: Any, change: bool) -> None:
        actor = request_user(request)
        if change:
            saved = services.course_track_update(
                actor=actor,
                track=CourseTrack.objects.get(pk=obj.pk),
                data=form.track_input,
            )
        else:
            saved = services.course_track_create(
                actor=actor,
                course=form.cleaned_data["course"],
                data=form.track_input,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: CourseTrack) -> None:
        services.course_track_delete(actor=request_user(request), track=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CourseTrack]) -> None:
        for track in queryset.select_related("course"):
            services.course_track_delete(actor=request_user(request), track=track)


@admin.register(CourseTrackHistory)
class CourseTrackHistoryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "course", "slug", "change", "actor")
    list_filter = ("change", "slug")
    search_fields = ("course__key", "slug")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
