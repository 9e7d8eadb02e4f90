"""Exact arithmetic helpers shared by the analytics modules.

RAG and direction rules have hard boundaries ("a value exactly on the amber
boundary is amber"). Binary floats get those wrong (100.3 - 0.1 is not 100.2),
so the boundary comparisons are done in Decimal. A float is converted through
``repr`` (its shortest round-trip text), which gives the decimal number the user
typed rather than the binary approximation stored for it.
"""

from decimal import Decimal

from .constants import ABSOLUTE, PERCENT

Number = int | float | Decimal


def to_decimal(value: Number, name: str = "value") -> Decimal:
    """Convert an int, float or Decimal to a finite Decimal, exactly as written."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    result = value if isinstance(value, Decimal) else Decimal(repr(value))
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, got {value!r}")
    return result


def amount(size: Number, kind: str, base: Decimal, name: str = "tolerance") -> Decimal:
    """A tolerance or threshold as an absolute amount.

    ``percent``: ``size`` % of ``|base|`` (the base's sign does not matter: a
    5 % band round a -50 underspend target is 2.5 either way).
    ``absolute``: ``size`` itself. Negative sizes are rejected: a band cannot
    be narrower than nothing.
    """
    size_d = to_decimal(size, name)
    if size_d < 0:
        raise ValueError(f"{name} must not be negative, got {size!r}")
    if kind == PERCENT:
        return size_d * abs(base) / 100
    if kind == ABSOLUTE:
        return size_d
    raise ValueError(f"unknown {name} kind {kind!r}; expected {PERCENT!r} or {ABSOLUTE!r}")
