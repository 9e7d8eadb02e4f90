"""Numbers as officers write them in plans and workbooks. Pure: no Django.

"13,805" → 13805; "95.79%" → 95.79; "1,918 (Q3)" → 1918 noted "Q3"; "-4 (2013/14)" → -4 noted
"2013/14"; "TBC", "-", "n/a" and blanks → no value. Anything else is an error saying why.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Every number the portal stores fits 14 digits before the point and 4 after (the database's
# decimal fields); anything longer is refused here, with a message, before any arithmetic.
MAX_INTEGER_DIGITS = 14
MAX_FRACTION_DIGITS = 4
TOO_MANY_DIGITS = (
    f"Too many digits: enter a number with at most {MAX_INTEGER_DIGITS} digits before the decimal point"
)

BLANK_WORDS = {"", "tbc", "tbd", "n/a", "na", "-", "–", "—", "..", "not available", "nil return"}
_NUMBER = re.compile(
    r"""^(?P<sign>[-+−]?)\s*(?P<pound>£?)\s*(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d*\.?\d+)\s*(?P<pct>%?)
        \s*(?:\((?P<note>[^()]*)\))?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class ParsedValue:
    value: Decimal | None = None
    note: str = ""
    is_percent: bool = False
    error: str = ""

    @property
    def blank(self) -> bool:
        return self.value is None and not self.error


def parse_value(raw) -> ParsedValue:
    """Parse one cell. Numbers stay numbers; text is read as officers write it."""
    if raw is None:
        return ParsedValue()
    if isinstance(raw, bool):
        return ParsedValue(error="Expected a number, found TRUE/FALSE")
    if isinstance(raw, (int, float, Decimal)):
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            return ParsedValue(error="Expected a number")
        if not number.is_finite():
            return ParsedValue(error="Expected a number, found an infinite or undefined value")
        if _too_long(number):
            return ParsedValue(error=TOO_MANY_DIGITS)
        return ParsedValue(value=number)
    if not isinstance(raw, str):
        return ParsedValue(error=f"Expected a number, found a {type(raw).__name__}")
    text = " ".join(raw.replace("\u00a0", " ").split())
    if text.casefold() in BLANK_WORDS:
        return ParsedValue()
    match = _NUMBER.match(text)
    if not match:
        shown = text if len(text) <= 40 else text[:37] + "..."
        return ParsedValue(error=f'"{shown}" is not a number: write it like 13,805 or 95.79% or 1,918 (Q3)')
    digits = match["digits"].replace(",", "")
    if len(digits.split(".")[0].lstrip("0")) > MAX_INTEGER_DIGITS or len(digits) > 60:
        return ParsedValue(error=TOO_MANY_DIGITS)
    number = Decimal(digits)
    if match["sign"] in ("-", "−"):
        number = -number
    return ParsedValue(value=number, note=(match["note"] or "").strip(), is_percent=bool(match["pct"]))


def parse_number(raw: str) -> Decimal | None:
    """A form field's number: like `parse_value` but a note in brackets is not allowed.

    Raises ValueError with a message for the user.
    """
    parsed = parse_value(raw)
    if parsed.error == TOO_MANY_DIGITS:
        raise ValueError(TOO_MANY_DIGITS)
    if parsed.error:
        raise ValueError("Enter a number, such as 1918 or 95.8")
    if parsed.note:
        raise ValueError("Enter just the number, without a note in brackets")
    return parsed.value


def _too_long(number: Decimal) -> bool:
    """More integer digits than any stored field holds (fraction digits are checked by unit)."""
    return number.adjusted() >= MAX_INTEGER_DIGITS


def cycle_collection_paused(function):
    """Run `function` with Python's cycle collector paused.

    Reading a large workbook makes millions of small objects and no reference cycles; the collector
    would walk them all again and again (two thirds of the parse time of a 19,001 x 200 file).
    """
    import functools
    import gc

    @functools.wraps(function)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused
