"""Money as a value: a ``Decimal`` amount and an ISO 4217 currency, never a float."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from enrollment_tracks.core.errors import ValidationFailed

_KNOWN_CURRENCIES = frozenset(code.lower() for code in list_currencies())

#: The largest amount a price column (``DecimalField(max_digits=12, decimal_places=2)``) holds.
MAX_AMOUNT = Decimal("9999999999.99")


def currency_normalise(code: str, *, field: str = "currency") -> str:
    """Return the lower-case ISO 4217 code (Open edX stores currencies lower-cased)."""
    cleaned = (code or "").strip().lower()
    if cleaned not in _KNOWN_CURRENCIES:
        raise ValidationFailed(
            f"“{code}” is not a known ISO 4217 currency code (for example usd or eur).",
            code="unknown_currency",
            field=field,
        )
    return cleaned


def amount_parse(value: object, *, field: str = "price") -> Decimal:
    """Parse a price; refuses floats' surprises, NaN, infinities and negative amounts."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            f"“{value}” is not a number.", code="invalid_price", field=field
        ) from None
    if not amount.is_finite():
        raise ValidationFailed("Enter a finite amount.", code="invalid_price", field=field)
    if amount < 0:
        raise ValidationFailed("A price cannot be negative.", code="negative_price", field=field)
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed(
            "A price has at most two decimal places.", code="invalid_price", field=field
        )
    if amount > MAX_AMOUNT:
        raise ValidationFailed(
            f"A price cannot be more than {MAX_AMOUNT:,}.", code="price_too_high", field=field
        )
    return amount


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str  # lower-case ISO 4217, as Open edX stores it

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money.amount must be a Decimal")
        object.__setattr__(self, "currency", currency_normalise(self.currency))

    @property
    def is_free(self) -> bool:
        return self.amount == 0

    def display(self, locale: str = "en_US") -> str:
        if self.is_free:
            return "Free"
        digits = get_currency_precision(self.currency.upper())
        quantised = self.amount.quantize(Decimal(1).scaleb(-digits))
        return str(format_currency(quantised, self.currency.upper(), locale=locale))

    def __str__(self) -> str:
        return self.display()
