"""The track catalog: one frozen record per Open edX course-mode slug.

Every rule about what a track *is* lives here and is read through the small predicates below.
Values follow Open edX (``COURSE_ENROLLMENT_MODES`` and the named groups of ``CourseMode``) and
the product's own rules (DESIGN.md section 2): a paid track needs the site's e-commerce module,
a track whose certificate needs an ID check needs ID verification switched on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from enrollment_tracks.core.errors import ValidationFailed


class Payment(enum.StrEnum):
    """When a learner pays for a track."""

    NEVER = "never"
    BEFORE_ENROLLING = "before_enrolling"
    UPGRADE = "upgrade"  # enroll free first, pay to upgrade before the upgrade deadline


class Acquisition(enum.StrEnum):
    """How a learner ends up on a track."""

    SELF_ENROLL = "self_enroll"
    CHECKOUT = "checkout"
    UPGRADE = "upgrade"
    STAFF = "staff"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackSpec:
    slug: str
    display_name: str
    minimum_price: Decimal
    payment: Payment
    grants_certificate: bool
    needs_id_verification: bool
    acquisition: Acquisition
    may_have_upgrade_deadline: bool = False
    upgrade_targets: tuple[str, ...] = ()
    #: Shown on the learner's track-selection list (Open edX drops credit there).
    learner_visible: bool = True
    #: Open edX's "Enrollment Track" partition group id (stable, below 100).
    partition_group_id: int
    summary: str

    @property
    def is_paid(self) -> bool:
        return self.payment is not Payment.NEVER

    @property
    def needs_ecommerce(self) -> bool:
        return self.is_paid

    @property
    def self_selectable(self) -> bool:
        """A learner may put themselves on it (if it is also free in the course)."""
        return self.acquisition is Acquisition.SELF_ENROLL

    @property
    def minimum_price_message(self) -> str:
        if self.minimum_price == Decimal("0.01"):
            return f"The {self.display_name} track must have a price above 0."
        return (
            f"The {self.display_name} track has a minimum price of {self.minimum_price}. "
            f"Set a price greater than or equal to {self.minimum_price}."
        )


AUDIT = "audit"
HONOR = "honor"
VERIFIED = "verified"
PROFESSIONAL = "professional"
NO_ID_PROFESSIONAL = "no-id-professional"
CREDIT = "credit"
MASTERS = "masters"
EXECUTIVE_EDUCATION = "executive-education"
PAID_EXECUTIVE_EDUCATION = "paid-executive-education"
UNPAID_EXECUTIVE_EDUCATION = "unpaid-executive-education"
PAID_BOOTCAMP = "paid-bootcamp"
UNPAID_BOOTCAMP = "unpaid-bootcamp"

_ZERO = Decimal(0)
_ONE = Decimal(1)

_SPECS = (
    TrackSpec(
        slug=AUDIT,
        display_name="Audit",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=False,
        needs_id_verification=False,
        acquisition=Acquisition.SELF_ENROLL,
        upgrade_targets=(VERIFIED,),
        partition_group_id=1,
        summary="Free. Full course access, no certificate.",
    ),
    TrackSpec(
        slug=HONOR,
        display_name="Honor",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=True,
        needs_id_verification=False,
        acquisition=Acquisition.SELF_ENROLL,
        upgrade_targets=(VERIFIED,),
        partition_group_id=6,
        summary="Free. A certificate when you pass.",
    ),
    TrackSpec(
        slug=VERIFIED,
        display_name="Verified",
        minimum_price=_ONE,
        payment=Payment.UPGRADE,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.UPGRADE,
        may_have_upgrade_deadline=True,
        partition_group_id=2,
        summary="Enroll free, pay to upgrade before the deadline. A verified certificate when "
        "you pass, after a simple ID verification.",
    ),
    TrackSpec(
        slug=PROFESSIONAL,
        display_name="Professional",
        minimum_price=_ONE,
        payment=Payment.BEFORE_ENROLLING,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.CHECKOUT,
        partition_group_id=3,
        summary="Paid before enrolling. A certificate when you pass, after ID verification.",
    ),
    TrackSpec(
        slug=NO_ID_PROFESSIONAL,
        display_name="No-Id-Professional",
        minimum_price=Decimal("0.01"),
        payment=Payment.BEFORE_ENROLLING,
        grants_certificate=True,
        needs_id_verification=False,
        acquisition=Acquisition.CHECKOUT,
        partition_group_id=4,
        summary="Paid before enrolling. A certificate when you pass; no ID check.",
    ),
    TrackSpec(
        slug=CREDIT,
        display_name="Credit",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.STAFF,
        learner_visible=False,
        partition_group_id=5,
        summary="University credit, assigned by staff after a verified enrollment.",
    ),
    TrackSpec(
        slug=MASTERS,
        display_name="Master's",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.STAFF,
        partition_group_id=7,
        summary="For learners of a degree programme, assigned by staff.",
    ),
    TrackSpec(
        slug=EXECUTIVE_EDUCATION,
        display_name="Executive Education",
        minimum_price=_ONE,
        payment=Payment.BEFORE_ENROLLING,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.CHECKOUT,
        partition_group_id=8,
        summary="Paid executive-education seat with a certificate.",
    ),
    TrackSpec(
        slug=PAID_EXECUTIVE_EDUCATION,
        display_name="Paid Executive Education",
        minimum_price=_ONE,
        payment=Payment.BEFORE_ENROLLING,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.CHECKOUT,
        partition_group_id=10,
        summary="Paid executive-education seat with a certificate.",
    ),
    TrackSpec(
        slug=UNPAID_EXECUTIVE_EDUCATION,
        display_name="Unpaid Executive Education",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=True,
        needs_id_verification=False,
        acquisition=Acquisition.STAFF,
        upgrade_targets=(PAID_EXECUTIVE_EDUCATION,),
        partition_group_id=9,
        summary="Sponsored executive-education seat, assigned by staff.",
    ),
    TrackSpec(
        slug=PAID_BOOTCAMP,
        display_name="Paid Bootcamp",
        minimum_price=_ONE,
        payment=Payment.BEFORE_ENROLLING,
        grants_certificate=True,
        needs_id_verification=True,
        acquisition=Acquisition.CHECKOUT,
        partition_group_id=12,
        summary="Paid bootcamp seat with a certificate.",
    ),
    TrackSpec(
        slug=UNPAID_BOOTCAMP,
        display_name="Unpaid Bootcamp",
        minimum_price=_ZERO,
        payment=Payment.NEVER,
        grants_certificate=True,
        needs_id_verification=False,
        acquisition=Acquisition.STAFF,
        upgrade_targets=(PAID_BOOTCAMP,),
        partition_group_id=11,
        summary="Sponsored bootcamp seat, assigned by staff.",
    ),
)

CATALOG: dict[str, TrackSpec] = {spec.slug: spec for spec in _SPECS}

#: The track of every enrollment in a course that configures none (Open edX's DEFAULT_MODE).
DEFAULT_TRACK = AUDIT

#: Free tracks in the order the default-track rule prefers them.
DEFAULT_PREFERENCE: tuple[str, ...] = (AUDIT, HONOR)

#: Open edX's ``ALL_MODES`` order, used for stable listings.
ORDER: tuple[str, ...] = (
    AUDIT,
    CREDIT,
    HONOR,
    NO_ID_PROFESSIONAL,
    PROFESSIONAL,
    VERIFIED,
    MASTERS,
    EXECUTIVE_EDUCATION,
    PAID_EXECUTIVE_EDUCATION,
    UNPAID_EXECUTIVE_EDUCATION,
    PAID_BOOTCAMP,
    UNPAID_BOOTCAMP,
)


def track_spec(slug: str, *, field: str = "slug") -> TrackSpec:
    """The catalog record for ``slug``; ``ValidationFailed`` (``unknown_track``) if none."""
    try:
        return CATALOG[slug]
    except KeyError:
        known = ", ".join(ORDER)
        raise ValidationFailed(
            f"“{slug}” is not a track this site knows. Known tracks: {known}.",
            code="unknown_track",
            field=field,
        ) from None


def is_known(slug: str) -> bool:
    return slug in CATALOG


def grants_certificate(slug: str) -> bool:
    spec = CATALOG.get(slug)
    return spec is not None and spec.grants_certificate


def certificate_needs_verification(slug: str) -> bool:
    """The track's certificate needs an approved ID verification (verified, professional...)."""
    spec = CATALOG.get(slug)
    return spec is not None and spec.grants_certificate and spec.needs_id_verification


def sort_key(slug: str) -> int:
    return ORDER.index(slug) if slug in ORDER else len(ORDER)


#: Tracks that the Commerce API's full replace never removes (Open edX's ``MODES_TO_NOT_DELETE``):
#: master's seats are not sold through the e-commerce service, so its pushes leave them out.
KEPT_ON_COMMERCE_REPLACE: frozenset[str] = frozenset({MASTERS})

#: The display names Open edX's Commerce API gives the tracks it writes
#: (``Course.get_mode_display_name``); any other track is named by its slug.
_COMMERCE_DISPLAY_NAMES: dict[str, str] = {
    CREDIT: "Credit",
    PROFESSIONAL: "Professional Education",
    NO_ID_PROFESSIONAL: "Professional Education",
    VERIFIED: "Verified Certificate",
    HONOR: "Honor Certificate",
    AUDIT: "Audit",
}


def commerce_display_name(slug: str) -> str:
    return _COMMERCE_DISPLAY_NAMES.get(slug, slug)
