"""A target may stretch beyond the plausible range, but never below zero where no result can."""

from decimal import Decimal

import pytest

from indicators.data_entry.services.targets import target_errors
from indicators.models import Indicator


def _indicator(unit: str, plausible_min: Decimal | None) -> Indicator:
    return Indicator(reference="X", title="X", unit=unit, decimal_places=1, plausible_min=plausible_min)


@pytest.mark.parametrize(
    "unit,floor,value,refused",
    [
        ("ratio", Decimal(0), Decimal(-5), True),  # average seconds to answer: never negative
        ("days", None, Decimal("-0.5"), True),  # days taken
        ("ratio", None, Decimal(-5), False),  # a signed ratio (no floor given) may be negative
        ("currency_thousands", None, Decimal(-40), False),  # an underspend target
        ("ratio", Decimal(0), Decimal(0), False),
        ("ratio", Decimal(0), Decimal(120), False),  # above the plausible range: a stretch is fine
    ],
)
def test_negative_targets(unit, floor, value, refused):
    errors = target_errors(_indicator(unit, floor), value)
    assert ("value" in errors) is refused
    if refused:
        assert errors["value"] == "A target for this indicator cannot be below 0: results never are"
