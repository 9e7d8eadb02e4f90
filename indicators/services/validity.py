"""The validity standard's rules by unit, shared by result entry, targets (the admin's too) and
the data-quality dashboard, so each refuses and counts exactly the same values. Pure.
"""

from decimal import Decimal

from indicators.formatting import decimal_text, format_value
from indicators.models import Indicator

# The database stores 18 digits, 4 of them after the point.
MAX_ABS_VALUE = Decimal("99999999999999.9999")


def _places(number: Decimal) -> int:
    exponent = number.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _shown(number: Decimal, decimal_places: int, unit: str) -> str:
    """A limit in a message as the indicator's figures are written, with any places it needs more."""
    return format_value(number, max(int(decimal_places or 0), _places(number)), unit)


def validity_errors(
    *,
    unit: str,
    decimal_places: int,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
) -> dict[str, str]:
    """The validity standard's rules by unit: {field: what is wrong and how to fix it}.

    Pure, so the data-quality dashboard counts exactly what the forms refuse.
    """
    errors: dict[str, str] = {}
    if value is None:
        errors["value"] = "Enter the result, a number such as 95.8"
    else:
        if not value.is_finite() or abs(value) > MAX_ABS_VALUE:
            errors["value"] = "Enter a result smaller than 100 million million"
        elif unit == Indicator.Unit.PERCENTAGE and not (0 <= value <= 100):
            errors["value"] = "A percentage must be between 0 and 100"
        elif unit == Indicator.Unit.COUNT and (value < 0 or value != value.to_integral_value()):
            errors["value"] = "A count must be a whole number, 0 or more, such as 1918"
        elif (
            unit in (Indicator.Unit.CURRENCY, Indicator.Unit.CURRENCY_THOUSANDS)
            and _places(value) > decimal_places
        ):
            errors["value"] = (
                f"Enter the amount to {decimal_places} decimal place{'s' if decimal_places != 1 else ''}"
                if decimal_places
                else "Enter the amount in whole pounds, without pence"
            )
        elif _places(value) > 4:
            errors["value"] = "Enter the result to at most 4 decimal places"
        elif plausible_min is not None and value < plausible_min:
            errors["value"] = (
                f"The result must be at least {_shown(plausible_min, decimal_places, unit)}, "
                "this indicator's plausible minimum"
            )
        elif plausible_max is not None and value > plausible_max:
            errors["value"] = (
                f"The result must be at most {_shown(plausible_max, decimal_places, unit)}, "
                "this indicator's plausible maximum"
            )
    for name, number in (("numerator", numerator), ("denominator", denominator)):
        if number is None:
            continue
        if not number.is_finite() or abs(number) > MAX_ABS_VALUE or _places(number) > 4:
            errors[name] = f"Enter the {name} as a number with at most 4 decimal places"
        elif number < 0:
            errors[name] = f"The {name} cannot be negative"
    if denominator is not None and "denominator" not in errors and denominator == 0:
        errors["denominator"] = "The denominator cannot be 0"
    # Only with every part in bounds: a 40-digit numerator would overflow the arithmetic.
    if not any(name in errors for name in ("value", "numerator", "denominator")):
        if fraction_error := _fraction_error(unit, decimal_places, value, numerator, denominator):
            errors["value"] = fraction_error
    return errors


def _fraction_error(unit, decimal_places, value, numerator, denominator) -> str | None:
    """A percentage or ratio given with both parts must be that fraction, to its decimal places."""
    if unit not in (Indicator.Unit.PERCENTAGE, Indicator.Unit.RATIO):
        return None
    if value is None or numerator is None or denominator is None or not denominator:
        return None
    if not (value.is_finite() and numerator.is_finite() and denominator.is_finite()):
        return None
    scale = Decimal(100) if unit == Indicator.Unit.PERCENTAGE else Decimal(1)
    expected = numerator / denominator * scale
    places = max(0, int(decimal_places or 0))
    if abs(value - expected) <= Decimal(5) * Decimal(10) ** -(places + 1):
        return None
    shown = decimal_text(expected.quantize(Decimal(10) ** -max(places, 2)))
    suffix = "%" if unit == Indicator.Unit.PERCENTAGE else ""
    return (
        f"The numerator and denominator give {shown}{suffix} ({decimal_text(numerator)} ÷ "
        f"{decimal_text(denominator)}{' × 100' if suffix else ''}): enter that result, "
        "or correct the numerator or denominator"
    )
