"""How a result is written: on the page (`format_result`), in files (`rounded`), in Excel
(`reporting.exports.unit_number_format`). One table of unit signs, so the three never differ."""

from decimal import Decimal

from indicators.models import Indicator

# (before, after) the number, by unit: 98.20% · £1,250 · £110k; other units have none.
UNIT_AFFIXES = {
    Indicator.Unit.PERCENTAGE: ("", "%"),
    Indicator.Unit.CURRENCY: ("£", ""),
    Indicator.Unit.CURRENCY_THOUSANDS: ("£", "k"),
}


def format_result(value: Decimal | None, unit: str, decimal_places: int) -> str:
    """A result as Table 3.3 prints it: 13,805 · 98.20% · £1,250 · £110k · 6.5."""
    if value is None:
        return "—"
    number = f"{abs(value):,.{decimal_places}f}"
    sign = "-" if value < 0 else ""
    before, after = UNIT_AFFIXES.get(unit, ("", ""))
    return f"{sign}{before}{number}{after}"


def rounded(value: Decimal | None, decimal_places: int) -> Decimal | None:
    """`value` to `decimal_places`, rounded as the page rounds it; None stays empty, -0 is 0."""
    if value is None:
        return None
    value = Decimal(value).quantize(Decimal(1).scaleb(-decimal_places))
    return abs(value) if value == 0 else value
