"""`{{ value|figure:indicator }}`: every figure on a page through the one formatter (`indicators.formatting`).

By the indicator's unit and decimal places: 85.7% · 8,542 · £1,250 · £110k; "—" for none.
"""

from django import template

from indicators.formatting import format_value

register = template.Library()


@register.filter
def figure(value, indicator):
    if indicator is None:
        return format_value(value, 4)
    return format_value(value, indicator.decimal_places, indicator.unit)
