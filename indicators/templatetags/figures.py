"""`{{ value|figure:indicator }}`: every figure on a page through the one formatter (`indicators.formatting`).

By the indicator's unit and decimal places: 85.7% · 8,542 · £1,250 · £110k; "—" for none.
`indicator` may be the model or a stored snapshot's mapping with "unit" and "decimal_places"
(a clinic pack); without either, the number is written with its own places, never padded to
the database's four ("85.7", not "85.7000").
"""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django import template

from indicators.formatting import format_value

register = template.Library()


def own_places(value) -> int:
    """The decimal places a number needs (at most 4, the database's): 85.7000 → 1, 90 → 0."""
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except (InvalidOperation, ValueError):
        return 0
    return min(4, max(0, -exponent)) if isinstance(exponent, int) else 0


@register.filter
def figure(value, indicator):
    if isinstance(indicator, Mapping):
        places, unit = indicator.get("decimal_places"), indicator.get("unit", "")
    else:
        places, unit = getattr(indicator, "decimal_places", None), getattr(indicator, "unit", "")
    if places is None:
        return format_value(value, own_places(value), unit or "")
    return format_value(value, places, unit or "")


@register.filter
def plain_figure(value):
    """A number that is not in an indicator's unit (a tolerance in % of the target, a count of
    councils) with thousands separators and only the places it needs: 5 · 2.5 · 1,250."""
    return format_value(value, own_places(value))
