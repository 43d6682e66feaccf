"""Reading a grades CSV: a header row with ``identifier`` (or ``username`` / ``email``) and
``grade`` columns, one learner per row. Grades are percentages (0-100, a trailing ``%`` allowed).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from enrollment_tracks.certificates.types import GradeEntry
from enrollment_tracks.core.errors import ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
IDENTIFIER_COLUMNS = ("identifier", "username", "email")


def parse_grades_csv(raw: bytes, *, field: str = "file") -> list[GradeEntry]:
    if len(raw) > MAX_BYTES:
        raise ValidationFailed(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
            code="too_large",
            field=field,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The file is not UTF-8 text.", code="not_utf8", field=field
        ) from None
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    column = next((name for name in IDENTIFIER_COLUMNS if name in header), None)
    if column is None or "grade" not in header:
        raise ValidationFailed(
            "The CSV needs a header row with an “identifier” (or “username” or “email”) column "
            "and a “grade” column.",
            code="bad_header",
            field=field,
        )
    who, grade = header.index(column), header.index("grade")
    entries = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        entries.append(
            GradeEntry(
                line=line,
                identifier=cells[who].strip() if who < len(cells) else "",
                grade=cells[grade].strip() if grade < len(cells) else "",
            )
        )
    if not entries:
        raise ValidationFailed("The CSV has no grade rows.", code="empty", field=field)
    return entries


def parse_percent(raw: str) -> Decimal | str:
    """The grade as a percentage with two decimals, or the reason it is not one."""
    text = raw.strip().removesuffix("%").strip()
    if not text:
        return "The grade is empty."
    try:
        value = Decimal(text)
    except InvalidOperation:
        return f"“{raw}” is not a number."
    if not value.is_finite():
        return f"“{raw}” is not a number."
    if value < 0:
        return f"{raw} is below 0: grades are percentages from 0 to 100."
    if value > 100:
        return f"{raw} is above 100: grades are percentages from 0 to 100."
    return value.quantize(Decimal("0.01"))
