"""Identifiers in: a text area or a CSV upload, checked before anything else happens."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from django.conf import settings

from enrollment_tracks.core.errors import ValidationFailed

_SPLIT = re.compile(r"[,\s]+")
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True, slots=True)
class Entry:
    """One identifier as given, with the track its CSV row asks for (if any)."""

    identifier: str
    track: str = ""


def _check_count(count: int, *, field: str = "identifiers") -> None:
    limit = settings.MEMBERSHIP_MAX_IDENTIFIERS
    if count == 0:
        raise ValidationFailed(
            "Give at least one email address or username.", code="empty", field=field
        )
    if count > limit:
        # A file is read only up to the first identifier over the limit: "more", not a count.
        given = f"{count:,}" if field == "identifiers" else "more"
        raise ValidationFailed(
            f"A job takes at most {limit:,} identifiers; you gave {given}. "
            "Split the list into several jobs.",
            code="too_many_identifiers",
            field=field,
        )


def parse_text(text: str) -> list[Entry]:
    """Emails and/or usernames separated by commas, spaces or new lines (Open edX's rule)."""
    entries = [Entry(part) for part in _SPLIT.split(text or "") if part]
    _check_count(len(entries))
    return entries


def parse_csv(data: bytes) -> list[Entry]:
    """A CSV with a header row: ``identifier`` and an optional ``track`` column; UTF-8 (BOM ok)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
            code="csv_encoding",
            field="csv_file",
        ) from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed("The file is empty.", code="empty", field="csv_file") from None
    except csv.Error as error:
        raise ValidationFailed(
            f"The file is not valid CSV: {error}.", code="csv_invalid", field="csv_file"
        ) from None
    names = [name.strip().lower() for name in header]
    if "identifier" not in names or any(name not in {"identifier", "track"} for name in names):
        raise ValidationFailed(
            "The first row must be a header naming the columns: “identifier” and, "
            f"optionally, “track” (found: {', '.join(header) or 'nothing'}).",
            code="csv_header",
            field="csv_file",
        )
    at_identifier = names.index("identifier")
    at_track = names.index("track") if "track" in names else None
    entries: list[Entry] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            identifier = row[at_identifier].strip() if at_identifier < len(row) else ""
            track = row[at_track].strip() if at_track is not None and at_track < len(row) else ""
            entries.append(Entry(identifier, track))
            if len(entries) > settings.MEMBERSHIP_MAX_IDENTIFIERS:
                break
    except csv.Error as error:
        raise ValidationFailed(
            f"The file is not valid CSV (line {reader.line_num}): {error}.",
            code="csv_invalid",
            field="csv_file",
        ) from None
    _check_count(len(entries), field="csv_file")
    return entries


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


def neutralise_cell(value: str) -> str:
    """Make a cell safe to open in a spreadsheet (OWASP CSV injection)."""
    return f"'{value}" if value.startswith((*FORMULA_PREFIXES, "\t", "\r")) else value
