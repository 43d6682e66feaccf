"""Operators' view of certificates. Certificates, grades and history are read only here: they
change through the services (Certificates tab, APIs), which keep the history. The one write is
the "Revoke" action, which goes through `services.certificate_revoke`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from enrollment_tracks.accounts.selectors import request_user
from enrollment_tracks.certificates import services
from enrollment_tracks.certificates.models import (
    Certificate,
    CertificateConfiguration,
    CertificateException,
    CertificateHistory,
    GenerationJob,
    Grade,
    GradeHistory,
    PassingGrade,
    Signatory,
)
from enrollment_tracks.core.admin_base import ReadOnlyAdmin
from enrollment_tracks.core.errors import DomainError


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0
    max_num = 4


@admin.register(CertificateConfiguration)
class CertificateConfigurationAdmin(admin.ModelAdmin):
    list_display = ("course", "title", "organisation_name", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("course__key", "title", "organisation_name")
    list_select_related = ("course",)
    readonly_fields = ("course", "updated_at", "updated_by")
    inlines = [SignatoryInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # created on the Certificates tab, which checks the course's tracks


class CertificateHistoryInline(admin.TabularInline):
    model = CertificateHistory
    extra = 0
    fields = ("created_at", "from_state", "to_state", "actor", "reason", "job_id")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ("verify_uuid", "user", "course", "track", "grade", "state", "issued_at")
    list_filter = ("state", "track")
    search_fields = ("verify_uuid", "user__username", "user__email", "course__key")
    list_select_related = ("user", "course")
    inlines = [CertificateHistoryInline]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected certificates (reason: revoked by an operator)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[Certificate]) -> None:
        revoked = 0
        for certificate in queryset:
            try:
                services.certificate_revoke(
                    actor=request_user(request),
                    certificate=certificate,
                    reason="Revoked by an operator in the admin.",
                )
            except DomainError as error:
                self.message_user(request, f"{certificate}: {error}", messages.WARNING)
            else:
                revoked += 1
        self.message_user(request, f"{revoked} certificate(s) revoked.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)  # the revoke action needs it


@admin.register(Grade)
class GradeAdmin(ReadOnlyAdmin):
    list_display = ("enrollment", "percent", "updated_at")
    search_fields = ("enrollment__user__username", "enrollment__course__key")
    list_select_related = ("enrollment__user", "enrollment__course")


@admin.register(GradeHistory)
class GradeHistoryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "enrollment", "before", "after", "source", "actor")
    list_filter = ("source",)
    search_fields = ("enrollment__user__username", "enrollment__course__key")
    list_select_related = ("enrollment__user", "enrollment__course", "actor")


@admin.register(PassingGrade)
class PassingGradeAdmin(ReadOnlyAdmin):
    list_display = ("course", "percent", "updated_at", "updated_by")


@admin.register(CertificateException)
class CertificateExceptionAdmin(ReadOnlyAdmin):
    list_display = ("course", "user", "kind", "reason", "created_at", "created_by")
    list_filter = ("kind",)
    search_fields = ("course__key", "user__username", "reason")


@admin.register(GenerationJob)
class GenerationJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "course", "status", "done", "total", "issued", "created_by")
    list_filter = ("status",)
    search_fields = ("id", "course__key")
