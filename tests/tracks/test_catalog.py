"""The track catalog as a truth table, checked against Open edX's facts.

Open edX references: ``reference/openedx-domain.md`` section 1 (slugs, ``ALL_MODES`` order,
``COURSE_ENROLLMENT_MODES`` minimum prices and partition ids, credit not selectable) and section
9.1 (every mode but audit is eligible for a certificate).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.tracks import catalog
from enrollment_tracks.tracks.catalog import Payment

NEVER, UPGRADE, BEFORE = Payment.NEVER, Payment.UPGRADE, Payment.BEFORE_ENROLLING

# slug, display name, minimum price, payment, is_paid, needs_ecommerce, grants_certificate,
# needs_id_verification, self_selectable, may_have_upgrade_deadline, upgrade_targets,
# learner_visible
TRUTH_TABLE = [
    ("audit", "Audit", "0", NEVER, False, False, False, False, True, False, ("verified",), True),
    ("honor", "Honor", "0", NEVER, False, False, True, False, True, False, ("verified",), True),
    ("verified", "Verified", "1", UPGRADE, True, True, True, True, False, True, (), True),
    ("professional", "Professional", "1", BEFORE, True, True, True, True, False, False, (), True),
    (
        "no-id-professional", "No-Id-Professional", "0.01", BEFORE,
        True, True, True, False, False, False, (), True,
    ),
    ("credit", "Credit", "0", NEVER, False, False, True, True, False, False, (), False),
    ("masters", "Master's", "0", NEVER, False, False, True, True, False, False, (), True),
    (
        "executive-education", "Executive Education", "1", BEFORE,
        True, True, True, True, False, False, (), True,
    ),
    (
        "paid-executive-education", "Paid Executive Education", "1", BEFORE,
        True, True, True, True, False, False, (), True,
    ),
    (
        "unpaid-executive-education", "Unpaid Executive Education", "0", NEVER,
        False, False, True, False, False, False, ("paid-executive-education",), True,
    ),
    (
        "paid-bootcamp", "Paid Bootcamp", "1", BEFORE,
        True, True, True, True, False, False, (), True,
    ),
    (
        "unpaid-bootcamp", "Unpaid Bootcamp", "0", NEVER,
        False, False, True, False, False, False, ("paid-bootcamp",), True,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    (
        "slug",
        "display_name",
        "minimum_price",
        "payment",
        "is_paid",
        "needs_ecommerce",
        "grants_certificate",
        "needs_id_verification",
        "self_selectable",
        "may_have_upgrade_deadline",
        "upgrade_targets",
        "learner_visible",
    ),
    TRUTH_TABLE,
    ids=[row[0] for row in TRUTH_TABLE],
)
def test_track_spec_truth_table(
    slug,
    display_name,
    minimum_price,
    payment,
    is_paid,
    needs_ecommerce,
    grants_certificate,
    needs_id_verification,
    self_selectable,
    may_have_upgrade_deadline,
    upgrade_targets,
    learner_visible,
):
    spec = catalog.track_spec(slug)

    assert spec.slug == slug
    assert spec.display_name == display_name
    assert spec.minimum_price == Decimal(minimum_price)
    assert isinstance(spec.minimum_price, Decimal)
    assert spec.payment is payment
    assert spec.is_paid is is_paid
    assert spec.needs_ecommerce is needs_ecommerce
    assert spec.grants_certificate is grants_certificate
    assert catalog.grants_certificate(slug) is grants_certificate
    assert spec.needs_id_verification is needs_id_verification
    assert spec.self_selectable is self_selectable
    assert spec.may_have_upgrade_deadline is may_have_upgrade_deadline
    assert spec.upgrade_targets == upgrade_targets
    assert spec.learner_visible is learner_visible


def test_truth_table_covers_the_whole_catalog():
    assert sorted(row[0] for row in TRUTH_TABLE) == sorted(catalog.CATALOG)
    assert len(catalog.CATALOG) == 12


def test_order_is_open_edx_all_modes_order():
    assert catalog.ORDER == (
        "audit",
        "credit",
        "honor",
        "no-id-professional",
        "professional",
        "verified",
        "masters",
        "executive-education",
        "paid-executive-education",
        "unpaid-executive-education",
        "paid-bootcamp",
        "unpaid-bootcamp",
    )
    assert [catalog.sort_key(slug) for slug in catalog.ORDER] == list(range(12))


def test_unknown_slugs_sort_after_known_ones():
    assert catalog.sort_key("bachelors") == len(catalog.ORDER)


def test_audit_is_the_only_track_without_a_certificate():
    assert [slug for slug in catalog.ORDER if not catalog.grants_certificate(slug)] == ["audit"]


@pytest.mark.parametrize(
    ("slug", "group_id"),
    [
        ("audit", 1),
        ("verified", 2),
        ("professional", 3),
        ("no-id-professional", 4),
        ("credit", 5),
        ("honor", 6),
        ("masters", 7),
        ("executive-education", 8),
        ("unpaid-executive-education", 9),
        ("paid-executive-education", 10),
        ("unpaid-bootcamp", 11),
        ("paid-bootcamp", 12),
    ],
)
def test_partition_group_ids_match_open_edx_course_enrollment_modes(slug, group_id):
    assert catalog.track_spec(slug).partition_group_id == group_id


def test_upgrade_targets_are_known_paid_tracks():
    for spec in catalog.CATALOG.values():
        for target in spec.upgrade_targets:
            assert catalog.track_spec(target).is_paid, (spec.slug, target)


def test_the_default_track_is_free_audit():
    assert catalog.DEFAULT_TRACK == "audit"
    assert catalog.DEFAULT_PREFERENCE == ("audit", "honor")
    assert not catalog.track_spec(catalog.DEFAULT_TRACK).is_paid


def test_unknown_slug_raises_unknown_track():
    with pytest.raises(ValidationFailed) as caught:
        catalog.track_spec("bachelors")

    assert caught.value.code == "unknown_track"
    assert caught.value.field == "slug"
    assert "bachelors" in caught.value.message
    assert "Known tracks: audit, credit, honor" in caught.value.message
    assert not catalog.is_known("bachelors")
    assert not catalog.grants_certificate("bachelors")


def test_unknown_slug_error_names_the_callers_field():
    with pytest.raises(ValidationFailed) as caught:
        catalog.track_spec("Audit", field="mode")

    assert caught.value.code == "unknown_track"
    assert caught.value.field == "mode"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        (
            "verified",
            "The Verified track has a minimum price of 1. Set a price greater than or equal to 1.",
        ),
        ("no-id-professional", "The No-Id-Professional track must have a price above 0."),
    ],
)
def test_minimum_price_message(slug, message):
    assert catalog.track_spec(slug).minimum_price_message == message
