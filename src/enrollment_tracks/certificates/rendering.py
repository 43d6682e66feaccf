"""What a certificate shows, gathered once for the HTML page and the PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from enrollment_tracks.certificates.models import Certificate, CertificateConfiguration
from enrollment_tracks.tracks import catalog


@dataclass(frozen=True, slots=True)
class SignatoryView:
    name: str
    title: str
    signature_path: str | None  # a local file, for the PDF
    signature_url: str | None


@dataclass(frozen=True, slots=True)
class CertificateView:
    verify_uuid: str
    is_valid: bool
    learner_name: str
    course_title: str
    course_key: str
    track_name: str
    grade: Decimal | None
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    title: str
    description: str
    organisation_name: str
    logo_path: str | None
    logo_url: str | None
    signatories: tuple[SignatoryView, ...]
    verify_path: str


def _file(field: object) -> tuple[str | None, str | None]:
    if not field:
        return None, None
    try:
        return field.path, field.url  # type: ignore[attr-defined]
    except (ValueError, NotImplementedError):
        return None, getattr(field, "url", None)


def certificate_view(certificate: Certificate) -> CertificateView:
    """The certificate with its course's current configuration (title, signatories, logo)."""
    configuration = (
        CertificateConfiguration.objects.filter(course_id=certificate.course_id)
        .prefetch_related("signatories")
        .first()
    )
    spec = catalog.CATALOG.get(certificate.track)
    logo_path, logo_url = _file(configuration.organisation_logo if configuration else None)
    signatories = []
    for signatory in configuration.signatories.all() if configuration else []:
        path, url = _file(signatory.signature)
        signatories.append(SignatoryView(signatory.name, signatory.title, path, url))
    return CertificateView(
        verify_uuid=certificate.verify_uuid,
        is_valid=certificate.is_valid,
        learner_name=certificate.name,
        course_title=certificate.course.title,
        course_key=certificate.course.key,
        track_name=spec.display_name if spec else certificate.track,
        grade=certificate.grade,
        issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at,
        title=configuration.title if configuration else "Certificate",
        description=configuration.description if configuration else "",
        organisation_name=configuration.organisation_name if configuration else "",
        logo_path=logo_path,
        logo_url=logo_url,
        signatories=tuple(signatories),
        verify_path=reverse("certificates:verify", args=[certificate.verify_uuid]),
    )
