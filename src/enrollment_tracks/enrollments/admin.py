"""Operators' view of enrollments, invitations and the audit trail.

Writes go through the enrollment services (audit row and events included); nothing is deleted:
unenrolling is unticking "active". The audit trail is read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment_tracks.accounts.models import User
from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.core.dryrun import dry_run
from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.enrollments import services
from enrollment_tracks.enrollments.models import Enrollment, EnrollmentAudit, Invitation
from enrollment_tracks.tracks import catalog

_TRACK_CHOICES = [("", "The course's default track")] + [
    (slug, catalog.CATALOG[slug].display_name) for slug in catalog.ORDER
]


def apply_enrollment_change(
    *, actor: User, enrollment: Enrollment | None, data: dict[str, Any]
) -> None:
    """Create, re-activate, deactivate or re-track an enrollment from the admin form's data."""
    learner, course, reason = data["user"], data["course"], data.get("reason", "")
    track = data.get("track") or None
    if enrollment is None:
        services.enrollment_create(
            actor=actor, learner=learner, course=course, track=track, reason=reason
        )
        return
    if enrollment.is_active and not data["is_active"]:
        services.enrollment_unenroll(actor=actor, learner=learner, course=course, reason=reason)
    elif not enrollment.is_active and data["is_active"]:
        services.enrollment_create(
            actor=actor, learner=learner, course=course, track=track, reason=reason
        )
        return
    if track and track != enrollment.track:
        services.enrollment_change_track(
            actor=actor, learner=learner, course=course, track=track, reason=reason
        )


class EnrollmentAdminForm(forms.ModelForm):
    track = forms.ChoiceField(choices=_TRACK_CHOICES, required=False)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Kept in the audit trail; required when the track is paid.",
    )

    class Meta:
        model = Enrollment
        fields = ("user", "course", "track", "is_active")

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if self.instance.pk:
            cleaned["user"], cleaned["course"] = self.instance.user, self.instance.course
        current = Enrollment.objects.get(pk=self.instance.pk) if self.instance.pk else None
        try:
            dry_run(
                lambda: apply_enrollment_change(
                    actor=request_user(self.request), enrollment=current, data=cleaned
                )
            )
        except DomainError as error:
            raise ValidationError({_field(error.field): error.message}) from None
        return cleaned

    def validate_unique(self) -> None:
        """Enrolling twice is not an error: the service answers with the existing row."""

    def _get_validation_exclusions(self) -> set[str]:
        # Model validation checks the constraints too (one enrollment per learner and course):
        # leave that rule to the service, which answers a second enrollment idempotently.
        # (Django's hook for what model validation skips; django-stubs does not declare it.)
        excluded = super()._get_validation_exclusions()  # type: ignore[misc]
        return {*excluded, "user", "course"}


def _field(name: str | None) -> str:
    return name if name in {"track", "reason", "is_active"} else "__all__"


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    form = EnrollmentAdminForm
    list_display = ("user", "course", "track", "is_active", "created", "updated")
    list_filter = ("is_active", "track")
    search_fields = ("user__username", "user__email", "course__key")
    autocomplete_fields = ("user", "course")
    list_select_related = ("user", "course")
    readonly_fields = ("created", "updated")

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestBoundForm(form_class):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **inner: Any) -> None:
                super().__init__(*args, request=request, **inner)

        return RequestBoundForm

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("user", "course", "created", "updated") if obj else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("user", "course", "track", "reason")
        return ("user", "course", "track", "is_active", "reason", "created", "updated")

    def save_model(self, request: HttpRequest, obj: Enrollment, form: Any, change: bool) -> None:
        current = Enrollment.objects.get(pk=obj.pk) if change else None
        apply_enrollment_change(
            actor=request_user(request), enrollment=current, data=form.cleaned_data
        )
        saved = Enrollment.objects.get(
            user=form.cleaned_data["user"], course=form.cleaned_data["course"]
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InvitationAdminForm(forms.ModelForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    class Meta:
        model = Invitation
        fields = ("email", "course", "auto_enroll")

    def validate_unique(self) -> None:
        """Inviting an invited email again updates the existing invitation."""

    def _get_validation_exclusions(self) -> set[str]:
        # As for enrollments: the one-invitation-per-email-and-course constraint is the
        # service's rule, which updates the existing invitation instead of failing.
        excluded = super()._get_validation_exclusions()  # type: ignore[misc]
        return {*excluded, "email", "course"}


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationAdminForm
    list_display = ("email", "course", "auto_enroll", "user", "created")
    list_filter = ("auto_enroll",)
    search_fields = ("email", "course__key")
    autocomplete_fields = ("course",)
    fields = ("email", "course", "auto_enroll", "reason")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Invitation, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.invitation_create(
            actor=request_user(request),
            course=data["course"],
            email=data["email"],
            auto_enroll=data["auto_enroll"],
            reason=data["reason"],
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: Invitation) -> None:
        services.invitation_delete(actor=request_user(request), invitation=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset.select_related("course"):
            services.invitation_delete(actor=request_user(request), invitation=invitation)


@admin.register(EnrollmentAudit)
class EnrollmentAuditAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "course",
        "email",
        "transition",
        "track_before",
        "track_after",
        "actor",
        "role",
        "reason",
    )
    list_filter = ("transition", "role")
    search_fields = ("email", "learner__username", "course__key", "reason")
    list_select_related = ("course", "actor")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
