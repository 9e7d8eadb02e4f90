"""Sense checks on a value before it is saved, and what counts as commentary (DOMAIN.md "Results and targets").

Pure: plain numbers in, words out.

- A value far outside the indicator's own history needs the person to confirm it: beyond the
  process limits by more than the limits' own width (for limits 80 to 100, below 60 or above 120),
  or more than 10 times the largest earlier value (by size). The reason is shown to the person and
  kept on the result for the approver.
- Commentary on a red result is a sentence: at least 10 characters with a letter among them,
  never punctuation alone.
"""

from decimal import Decimal

MIN_COMMENTARY = 10
HISTORY_FACTOR = 10


def meaningful_commentary(text: str | None) -> bool:
    """At least 10 characters (spaces at the ends not counted) with at least one letter."""
    text = (text or "").strip()
    return len(text) >= MIN_COMMENTARY and any(ch.isalpha() for ch in text)


def sense_check(value, earlier, lower=None, upper=None, shown=str) -> str | None:
    """Why ``value`` looks implausible against its history, or None.

    ``earlier``: the indicator's earlier values (any order); ``lower``/``upper``: its current process
    limits in the same terms as ``value`` (None when it has none); ``shown``: how a number is written
    in the message (the indicator's formatter).
    """
    number = Decimal(str(value))
    if lower is not None and upper is not None:
        low, high = Decimal(str(lower)), Decimal(str(upper))
        width = high - low
        if width > 0 and (number > high + width or number < low - width):
            return (
                f"{shown(number)} is beyond this indicator's process limits ({shown(low)} to {shown(high)}) "
                "by more than their own width"
            )
    sizes = [abs(Decimal(str(v))) for v in earlier if v is not None]
    largest = max(sizes, default=Decimal(0))
    if largest > 0 and abs(number) > HISTORY_FACTOR * largest:
        return f"{shown(number)} is more than 10 times the largest earlier value ({shown(largest)})"
    return None
