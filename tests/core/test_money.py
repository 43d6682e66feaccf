"""Money is a Decimal and an ISO 4217 currency; prices are parsed strictly."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment_tracks.core.errors import ValidationFailed
from enrollment_tracks.core.money import MAX_AMOUNT, Money, amount_parse, currency_normalise


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("0", "usd", "Free"),
        ("0.00", "eur", "Free"),
        ("49", "usd", "$49.00"),
        ("49.5", "USD", "$49.50"),
        ("10", "eur", "€10.00"),
        ("1234.5", "usd", "$1,234.50"),
        ("1000", "jpy", "¥1,000"),
    ],
)
def test_display(amount, currency, shown):
    money = Money(Decimal(amount), currency)

    assert money.display() == shown
    assert str(money) == shown


def test_currency_is_normalised_to_lower_case():
    assert Money(Decimal(10), " EUR ").currency == "eur"
    assert Money(Decimal(10), "EUR") == Money(Decimal(10), "eur")
    assert currency_normalise("Usd") == "usd"


@pytest.mark.parametrize("currency", ["xyz", "", "dollars", "us"])
def test_unknown_currency_is_refused(currency):
    with pytest.raises(ValidationFailed) as caught:
        Money(Decimal(1), currency)

    assert (caught.value.code, caught.value.field) == ("unknown_currency", "currency")
    assert "ISO 4217" in caught.value.message


def test_currency_error_names_the_callers_field():
    with pytest.raises(ValidationFailed) as caught:
        currency_normalise("xyz", field="default_currency")

    assert caught.value.field == "default_currency"
    assert "xyz" in caught.value.message


@pytest.mark.parametrize("amount", [49.0, 49, "49", None])
def test_money_refuses_anything_but_a_decimal(amount):
    with pytest.raises(TypeError, match=r"Money\.amount must be a Decimal"):
        Money(amount, "usd")


def test_is_free():
    assert Money(Decimal(0), "usd").is_free
    assert not Money(Decimal("0.01"), "usd").is_free


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("49", Decimal(49)),
        (" 49.99 ", Decimal("49.99")),
        (Decimal("0.5"), Decimal("0.5")),
        (12, Decimal(12)),
        ("0", Decimal(0)),
        ("9999999999.99", MAX_AMOUNT),
    ],
)
def test_amount_parse_accepts_prices(raw, expected):
    assert amount_parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("NaN", "invalid_price", "finite"),
        ("sNaN", "invalid_price", "finite"),
        (Decimal("NaN"), "invalid_price", "finite"),
        ("inf", "invalid_price", "finite"),
        ("-Infinity", "invalid_price", "finite"),
        ("-1", "negative_price", "cannot be negative"),
        ("-0.01", "negative_price", "cannot be negative"),
        ("1.005", "invalid_price", "two decimal places"),
        ("0.001", "invalid_price", "two decimal places"),
        ("abc", "invalid_price", "not a number"),
        ("", "invalid_price", "not a number"),
        (None, "invalid_price", "not a number"),
        ("1,50", "invalid_price", "not a number"),
        ("10000000000", "price_too_high", "more than 9,999,999,999.99"),
        ("1E+20", "price_too_high", "more than 9,999,999,999.99"),
    ],
)
def test_amount_parse_refuses(raw, code, words):
    with pytest.raises(ValidationFailed) as caught:
        amount_parse(raw, field="amount")

    assert (caught.value.code, caught.value.field) == (code, "amount")
    assert words in caught.value.message


# The autouse site-configuration fixture only resets the database; it does not matter between
# examples of a pure function.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.decimals(
        min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False,
        allow_infinity=False,
    )
)  # fmt: skip
def test_two_place_amounts_round_trip(amount):
    assert amount_parse(amount) == amount
    assert amount_parse(str(amount)) == amount
    assert amount_parse(f"{amount:f}") == amount
