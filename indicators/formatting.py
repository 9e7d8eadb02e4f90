"""How a number is written, everywhere: pages, history, exports, open data and Excel.

One rounding rule and one table of unit signs, so a figure never reads differently on the page,
in the spreadsheet and in the open data. Rounding is half away from zero (ROUND_HALF_UP on
Decimal), the rule councillors and Excel use: 2.5 → 3, 6.45 → 6.5, -2.5 → -3. Pure: no Django.
"""

from decimal import ROUND_HALF_UP, Decimal

from indicators.analytics.constants import ASSURANCE_LABELS, LIMITS_PREDATE_CHANGE

# (before, after) the number, by unit (`Indicator.Unit` values): 98.20% · £1,250 · £110k.
UNIT_AFFIXES = {
    "percentage": ("", "%"),
    "currency": ("£", ""),
    "currency_thousands": ("£", "k"),
}
EMPTY = "—"


# 10 ** -places by number of places, made once (a scorecard formats 3,000 figures a request).
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(7)}


def rounded(value, decimal_places: int) -> Decimal | None:
    """`value` to `decimal_places` by the one rounding rule; None stays empty, -0 is 0."""
    if value is None:
        return None
    places = max(0, int(decimal_places or 0))
    quantum = _QUANTA.get(places) or Decimal(1).scaleb(-places)
    value = Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    return abs(value) if value == 0 else value


def format_value(value, decimal_places: int, unit: str = "") -> str:
    """A figure as Table 3.3 prints it: 13,805 · 98.20% · £1,250 · £110k · 6.5; "—" for none.

    Takes a Decimal, a number or the text a change history stores; text that is not a number
    (an old free-text entry) is shown as it is.
    """
    if value is None or value == "":
        return EMPTY
    try:
        # A Decimal is taken as it is (its text would give the same Decimal back).
        number = rounded(value if type(value) is Decimal else Decimal(str(value)), decimal_places)
    except (ArithmeticError, ValueError):
        return str(value)
    places = max(0, int(decimal_places or 0))
    before, after = UNIT_AFFIXES.get(unit, ("", ""))
    sign = "-" if number < 0 else ""
    return f"{sign}{before}{abs(number):,.{places}f}{after}"


def unit_number_format(unit: str, decimal_places: int) -> str:
    """An Excel number format showing a result as `format_value` does: 95.80% · £1,250 · £110k.

    Percentages are stored as 95.8 meaning 95.8 %, so the % is a literal, not Excel's ×100.
    """
    number = "#,##0" + ("." + "0" * decimal_places if decimal_places else "")
    before, after = UNIT_AFFIXES.get(unit, ("", ""))
    return (f'"{before}"' if before else "") + number + (f'"{after}"' if after else "")


def decimal_text(number: Decimal) -> str:
    """The canonical text of a number, as history and forms keep it: 90.0000 and 90 are "90",
    never "9E+1"."""
    return format(number.normalize(), "f")


def assurance_label(assurance: str, shift_since=None) -> str:
    """The assurance in words; for a sustained shift, since when the limits pre-date the change.

    ``shift_since``: the start date of the shift's first period (``Assessment.shift_since``).
    """
    if not assurance:
        return ""
    if assurance == LIMITS_PREDATE_CHANGE and shift_since is not None:
        return f"Not judged: the limits pre-date the change since {shift_since:%b %Y}"
    return ASSURANCE_LABELS.get(assurance, "")
