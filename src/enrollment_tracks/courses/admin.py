from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.courses import services
from enrollment_tracks.courses.models import CourseAccessRole, CourseRun
from enrollment_tracks.courses.types import CourseInput

_INPUT_FIELDS = (
    "key",
    "title",
    "start",
    "end",
    "enrollment_start",
    "enrollment_end",
    "invitation_only",
    "max_enrollments",
    "pacing",
)


class CourseRunAdminForm(forms.ModelForm):
    class Meta:
        model = CourseRun
        fields = _INPUT_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if self.instance.pk:
            cleaned["key"] = self.instance.key
        values: dict[str, Any] = {name: cleaned.get(name) for name in _INPUT_FIELDS}
        self.course_input = CourseInput(**values)
        try:
            services.course_check(
                data=self.course_input, course=self.instance if self.instance.pk else None
            )
        except DomainError as error:
            raise ValidationError({error.field or "__all__": error.message}) from None
        return cleaned


class CourseTeamInline(admin.TabularInline):
    model = CourseAccessRole
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(CourseRun)
class CourseRunAdmin(admin.ModelAdmin):
    form = CourseRunAdminForm
    list_display = ("key", "title", "start", "end", "invitation_only", "max_enrollments")
    search_fields = ("key", "title")
    list_filter = ("pacing", "invitation_only", "org")
    inlines = (CourseTeamInline,)

    def get_readonly_fields(self, request: HttpRequest, obj: CourseRun | None = None) -> Any:
        return ("key",) if obj else ()

    def save_model(self, request: HttpRequest, obj: CourseRun, form: Any, change: bool) -> None:
        if change:
            services.course_update(course=obj, data=form.course_input)
        else:
            # The inlines are bound to ``obj``: give it the created row's identity.
            obj.pk = services.course_create(data=form.course_input).pk
            obj.refresh_from_db()
