"""RAG (red / amber / green) status of a result against its target.

Rules (DOMAIN.md "RAG"; the framework's polarity-based RAG):

* ``tol`` = the amber tolerance: ``tolerance`` % of ``|target|`` (default 5 %)
  or an absolute amount.
* up is good: GREEN if actual >= target; AMBER if actual >= target - tol; else RED.
* up is bad:  GREEN if actual <= target; AMBER if actual <= target + tol; else RED.
* neutral polarity, or no target: NO_RAG ("contextual", grey, never red).

Boundaries are inclusive (a value exactly on the amber boundary is amber) and
are compared exactly in Decimal, so float noise cannot tip a result into red.
"""

from decimal import Decimal

from ._numbers import Number, amount, to_decimal
from .constants import (
    AMBER,
    GREEN,
    NEUTRAL,
    NO_RAG,
    PERCENT,
    POLARITIES,
    RED,
    UP_IS_GOOD,
)


def check_polarity(polarity: str) -> None:
    """Raise ValueError for anything that is not a known polarity."""
    if polarity not in POLARITIES:
        raise ValueError(f"unknown polarity {polarity!r}; expected one of {POLARITIES}")


def amber_tolerance(target: Number, tolerance: Number = 5, tolerance_kind: str = PERCENT) -> Decimal:
    """The width of the amber band, as a Decimal.

    A percentage of a zero target is zero, so with a percent tolerance and a
    zero target there is no amber band: any miss is red. Use an absolute
    tolerance for indicators whose target can be zero.
    """
    return amount(tolerance, tolerance_kind, to_decimal(target, "target"), "tolerance")


def rag_status(
    actual: Number | None,
    target: Number | None,
    polarity: str,
    tolerance: Number = 5,
    tolerance_kind: str = PERCENT,
) -> str | None:
    """Return GREEN, AMBER, RED or NO_RAG for one result; None when there is no actual.

    ``actual`` None returns None rather than MISSING because only the caller
    knows whether the result was *due* (MISSING, a late return) or simply not
    yet expected; it should map None to MISSING itself when the due date passed.

    Negative targets (e.g. a budget underspend of -50 £000s, up is bad) use
    ``|target|`` for a percent tolerance: -60 is green, -47.5 amber, -40 red.

    Raises ValueError for an unknown polarity or tolerance kind, or a negative
    tolerance.
    """
    check_polarity(polarity)
    # Validate the tolerance even when it will not be used, so bad
    # configuration fails loudly rather than only on the first real target.
    amount(tolerance, tolerance_kind, to_decimal(0), "tolerance")
    if actual is None:
        return None
    if polarity == NEUTRAL or target is None:
        return NO_RAG
    act = to_decimal(actual, "actual")
    tgt = to_decimal(target, "target")
    tol = amber_tolerance(tgt, tolerance, tolerance_kind)
    if polarity == UP_IS_GOOD:
        if act >= tgt:
            return GREEN
        return AMBER if act >= tgt - tol else RED
    # UP_IS_BAD: the mirror image.
    if act <= tgt:
        return GREEN
    return AMBER if act <= tgt + tol else RED
