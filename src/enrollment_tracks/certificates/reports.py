"""The per-course certificate report (CSV), one row per enrolled learner.

Every cell goes through the membership results CSV's neutraliser, so a name such as
``=HYPERLINK(...)`` opens in a spreadsheet as text, not as a formula.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from enrollment_tracks.certificates import issuing, selectors, verification_status
from enrollment_tracks.certificates.models import Certificate
from enrollment_tracks.courses.models import CourseRun
from enrollment_tracks.membership.parsing import neutralise_cell

HEADER = [
    "username",
    "email",
    "name",
    "track",
    "enrollment_active",
    "grade",
    "status",
    "verification_status",
    "issued_date",
    "certificate_id",
    "revoked",
    "revoke_reason",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def report_csv(course: CourseRun) -> Iterator[str]:
    rows = selectors.learner_rows_of_course(course)
    verified = verification_status.users_verified({row.user_id for row in rows})
    installed = verification_status.verification_installed()
    certificates = {
        certificate.enrollment_id: certificate
        for certificate in Certificate.objects.filter(course=course)
    }
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow(
            [neutralise_cell(cell) for cell in _cells(row, certificates, verified, installed)]
        )


def _cells(
    row: issuing.LearnerRow,
    certificates: dict[int, Certificate],
    verified: set[int],
    installed: bool,
) -> list[str]:
    certificate = certificates.get(row.enrollment_id)
    if not installed:
        verification = "unavailable"
    else:
        verification = "approved" if row.user_id in verified else "none"
    return [
        row.username,
        row.email,
        row.name,
        row.track,
        "yes" if row.is_active else "no",
        "" if row.grade is None else str(row.grade),
        row.verdict.status.value,
        verification,
        certificate.issued_at.date().isoformat() if certificate else "",
        certificate.verify_uuid if certificate else "",
        "yes" if certificate and not certificate.is_valid else "no",
        certificate.revoke_reason if certificate else "",
    ]
