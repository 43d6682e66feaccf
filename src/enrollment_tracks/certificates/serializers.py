"""Input and output bodies of the certificate APIs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from enrollment_tracks.certificates.eligibility import ListEntry
from enrollment_tracks.certificates.models import (
    MAX_SIGNATORIES,
    Certificate,
    CertificateConfiguration,
    CertificateException,
    GenerationJob,
)
from enrollment_tracks.certificates.types import (
    ConfigurationInput,
    GradeEntry,
    GradeOutcome,
    SignatoryInput,
)

# ------------------------------------------------------------------ Open edX-compatible


def _absolute(request: Any, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _fraction(percent: Decimal) -> str:
    """Open edX's grade: a fraction as text (``87.50`` % → ``"0.875"``)."""
    value = (Decimal(percent) / 100).quantize(Decimal("0.0001")).normalize()
    return f"{value:f}"


def openedx_certificate(certificate: Certificate, request: Any) -> dict[str, Any]:
    """Open edX's certificates API v0 body for one certificate."""
    valid = certificate.is_valid
    return {
        "username": certificate.user.username,
        "course_id": certificate.course.key,
        "course_display_name": certificate.course.title,
        "course_organization": certificate.course.org,
        "certificate_type": certificate.track,
        "created_date": certificate.issued_at,
        "modified_date": certificate.revoked_at or certificate.issued_at,
        "status": "downloadable" if valid else "unavailable",
        "is_passing": valid,
        "download_url": _absolute(
            request, reverse("certificates:pdf", args=[certificate.verify_uuid])
        )
        if valid
        else None,
        "grade": None if certificate.grade is None else _fraction(certificate.grade),
        "uuid": certificate.verify_uuid,
    }


class OpenEdxCertificateSerializer(serializers.Serializer[Any]):
    """The shape of Open edX's ``GET /api/certificates/v0/certificates/{username}/...``."""

    username = serializers.CharField()
    course_id = serializers.CharField()
    course_display_name = serializers.CharField()
    course_organization = serializers.CharField()
    certificate_type = serializers.CharField(help_text="The track it was earned on.")
    created_date = serializers.DateTimeField()
    modified_date = serializers.DateTimeField()
    status = serializers.CharField(help_text="`downloadable`, or `unavailable` when revoked.")
    is_passing = serializers.BooleanField()
    download_url = serializers.CharField(allow_null=True, help_text="The PDF.")
    grade = serializers.CharField(allow_null=True, help_text="A fraction, e.g. `0.87`.")
    uuid = serializers.CharField(help_text="The certificate's public id (verify page).")


# ------------------------------------------------------------------ configuration


class SignatorySerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=255)
    title = serializers.CharField(max_length=255)
    signature_url = serializers.CharField(read_only=True, allow_null=True)


class ConfigurationSerializer(serializers.Serializer[Any]):
    """A course's certificate configuration (images are uploaded on the Certificates tab)."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    organisation_name = serializers.CharField(max_length=255)
    organisation_logo_url = serializers.CharField(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(default=False)
    signatories = SignatorySerializer(many=True, required=False, default=list)

    def validate_signatories(self, value: list[dict[str, str]]) -> list[dict[str, str]]:
        if len(value) > MAX_SIGNATORIES:
            raise serializers.ValidationError(
                f"A certificate has at most {MAX_SIGNATORIES} signatories."
            )
        return value

    def to_input(self) -> ConfigurationInput:
        data = self.validated_data
        return ConfigurationInput(
            title=data["title"],
            description=data.get("description", ""),
            organisation_name=data["organisation_name"],
            is_active=data["is_active"],
            signatories=tuple(
                SignatoryInput(row["name"], row["title"]) for row in data["signatories"]
            ),
        )


def configuration_body(
    configuration: CertificateConfiguration | None,
    *,
    unavailable_reason: str | None,
    active: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "available": unavailable_reason is None,
        "unavailable_reason": unavailable_reason,
        "active": active,
        "configuration": None,
    }
    if configuration is not None:
        body["configuration"] = {
            "title": configuration.title,
            "description": configuration.description,
            "organisation_name": configuration.organisation_name,
            "organisation_logo_url": configuration.organisation_logo.url
            if configuration.organisation_logo
            else None,
            "is_active": configuration.is_active,
            "signatories": [
                {
                    "name": row.name,
                    "title": row.title,
                    "signature_url": row.signature.url if row.signature else None,
                }
                for row in configuration.signatories.all()
            ],
        }
    return body


class ConfigurationStateSerializer(serializers.Serializer[Any]):
    available = serializers.BooleanField(
        help_text="False while the course offers no track that grants a certificate."
    )
    unavailable_reason = serializers.CharField(allow_null=True)
    active = serializers.BooleanField(help_text="Certificates are being issued.")
    configuration = ConfigurationSerializer(allow_null=True)


class PassingGradeSerializer(serializers.Serializer[Any]):
    passing_grade = serializers.CharField(
        help_text="Percent, 0 to 100 (a string or a number), e.g. `60` or `72.5`."
    )


# ------------------------------------------------------------------ grades


class GradeInSerializer(serializers.Serializer[Any]):
    user = serializers.CharField(help_text="Username or email.", allow_blank=True)
    grade = serializers.CharField(help_text="Percent, 0-100.", allow_blank=True)


class GradesInSerializer(serializers.Serializer[Any]):
    grades = GradeInSerializer(many=True, allow_empty=False)

    def to_entries(self) -> list[GradeEntry]:
        return [
            GradeEntry(line=index, identifier=row["user"].strip(), grade=row["grade"].strip())
            for index, row in enumerate(self.validated_data["grades"], start=1)
        ]

    def to_internal_value(self, data: Any) -> Any:
        # Numbers are welcome: JSON clients send 87.5 rather than "87.5".
        if isinstance(data, dict) and isinstance(data.get("grades"), list):
            data = {
                **data,
                "grades": [
                    {**row, "grade": str(row["grade"])}
                    if isinstance(row, dict) and isinstance(row.get("grade"), int | float)
                    else row
                    for row in data["grades"]
                ],
            }
        return super().to_internal_value(data)


class GradeResultSerializer(serializers.Serializer[Any]):
    line = serializers.IntegerField(help_text="Position in the request, from 1.")
    identifier = serializers.CharField()
    grade = serializers.CharField()
    outcome = serializers.ChoiceField(choices=[outcome.value for outcome in GradeOutcome])
    message = serializers.CharField()
    username = serializers.CharField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    certificate_issued = serializers.BooleanField()
    is_error = serializers.BooleanField(help_text="The row changed nothing.")


class GradesOutSerializer(serializers.Serializer[Any]):
    results = GradeResultSerializer(many=True)
    errors = serializers.IntegerField(  # type: ignore[assignment]
        help_text="Rows that changed nothing because of an error."
    )


# ------------------------------------------------------------------ lists, jobs, certificates


class ExceptionInSerializer(serializers.Serializer[Any]):
    user = serializers.CharField(help_text="Username or email of an enrolled learner.")
    kind = serializers.ChoiceField(choices=[entry.value for entry in ListEntry])
    reason = serializers.CharField(max_length=1000)


class ExceptionSerializer(serializers.ModelSerializer[CertificateException]):
    username = serializers.CharField(source="user.username")
    created_by = serializers.CharField(source="created_by.username", allow_null=True)

    class Meta:
        model = CertificateException
        fields = ["username", "kind", "reason", "created_at", "created_by"]


class GenerationJobSerializer(serializers.ModelSerializer[GenerationJob]):
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = GenerationJob
        fields = [
            "id",
            "status",
            "total",
            "done",
            "issued",
            "progress_percent",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    username = serializers.CharField(source="user.username")
    is_valid = serializers.BooleanField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Certificate
        fields = [
            "verify_uuid",
            "username",
            "name",
            "track",
            "grade",
            "state",
            "is_valid",
            "issued_at",
            "revoked_at",
            "revoke_reason",
        ]


class RevokeSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000, help_text="Why; kept in the history.")
