from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from enrollment_tracks.core.money import Money
from enrollment_tracks.tracks.catalog import TrackSpec


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackInput:
    """A course team's wish for one track of a course."""

    slug: str
    display_name: str = ""
    price: Decimal = Decimal(0)
    currency: str = ""  # empty: the site's default currency
    upgrade_deadline: dt.datetime | None = None
    upgrade_deadline_is_explicit: bool = False
    description: str = ""
    sku: str = ""
    bulk_sku: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferedTrack:
    """A track as a course offers it, with what the site makes of it right now.

    ``configured`` is false for the virtual audit track of a course that configures none.
    ``unavailable_reason`` says, in words for people, why a learner cannot get it today.
    """

    spec: TrackSpec
    slug: str
    display_name: str
    price: Money
    upgrade_deadline: dt.datetime | None
    upgrade_deadline_is_explicit: bool
    description: str
    sku: str
    bulk_sku: str
    is_pinned_default: bool
    configured: bool
    is_expired: bool
    unavailable_reason: str | None
    track_id: int | None

    @property
    def is_free(self) -> bool:
        return self.price.is_free and not self.spec.is_paid

    @property
    def is_available(self) -> bool:
        return self.unavailable_reason is None

    @property
    def self_enrollable(self) -> bool:
        """A learner may pick it themselves, today, without paying."""
        return self.is_available and self.spec.self_selectable and self.price.is_free


class Keep(enum.Enum):
    """ "Leave it as it is", for an optional argument whose ``None`` means "remove"."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True, slots=True, kw_only=True)
class TracksReplaced:
    """What a full replace of a course's tracks did (slugs, in the order given)."""

    created: bool  # the course had no configured track before (the Commerce API answers 201)
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
