"""Direction of travel: is the latest value better or worse than its comparator?

Rules (DOMAIN.md "Direction of travel"; the framework's Table 3.3):

* comparator: for ``ytd`` measures and seasonal indicators, the same period one
  year earlier (a Q3 YTD figure only means something against last year's Q3
  YTD); otherwise the previous period of the same kind;
* values for periods of different kinds are not comparable unless the
  indicator explicitly allows it;
* no comparator (or no current value) -> NOT_COMPARABLE;
* neutral polarity -> SAME ("Neutral") always: the change is context, not a judgement;
* a change within the "no significant change" threshold -> SAME;
* up is good: increase GOOD, decrease BAD; up is bad the reverse; equal -> SAME.
"""

import datetime
from collections.abc import Iterable, Mapping

from ._numbers import Number, amount, to_decimal
from .constants import (
    ABSOLUTE,
    BAD,
    GOOD,
    MEASURE_YTD,
    MONTH,
    NEUTRAL,
    NOT_COMPARABLE,
    QUARTER,
    SAME,
    UP_IS_GOOD,
    YEAR,
)
from .rag import check_polarity

PeriodKey = tuple[str, datetime.date]


def direction_of_travel(
    current: Number | None,
    previous: Number | None,
    polarity: str,
    threshold: Number | None = None,
    threshold_kind: str = ABSOLUTE,
) -> str:
    """Return GOOD, BAD, SAME or NOT_COMPARABLE.

    ``threshold`` is the "no significant change" band: a change whose size is
    at most ``threshold`` (absolute) or at most ``threshold`` % of
    ``|previous|`` (percent) counts as no change. The boundary is inclusive: a
    change exactly equal to the threshold is not significant. ``None`` (the
    default) means any change counts. A percent threshold against a zero
    previous value is zero, so any change then counts.

    Comparisons are exact (Decimal), so 0.1 -> 0.3 with a 0.2 threshold is SAME.
    """
    check_polarity(polarity)
    if current is None or previous is None:
        return NOT_COMPARABLE
    cur = to_decimal(current, "current")
    prev = to_decimal(previous, "previous")
    band = to_decimal(0) if threshold is None else amount(threshold, threshold_kind, prev, "threshold")
    if polarity == NEUTRAL:
        return SAME
    change = cur - prev
    if change == 0 or abs(change) <= band:
        return SAME
    rising = change > 0
    return GOOD if rising == (polarity == UP_IS_GOOD) else BAD


def _shift_months(start: datetime.date, months: int) -> datetime.date:
    """``start`` moved by ``months`` calendar months, clamping the day (31 Mar - 1 month = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    day = start.day
    while True:
        try:
            return start.replace(year=year, month=month0 + 1, day=day)
        except ValueError:
            day -= 1


def comparator_key(
    period_kind: str, period_start: datetime.date, measure_type: str, seasonal: bool = False
) -> PeriodKey:
    """The (kind, start) the latest value should be compared with, whether or not it exists.

    YTD and seasonal indicators compare with the same period a year earlier:
    a cumulative or seasonal value is only like-for-like at the same point of
    the year. Others compare with the previous period of the same kind.
    """
    if period_kind not in (MONTH, QUARTER, YEAR):
        raise ValueError(f"unknown period kind {period_kind!r}")
    if measure_type == MEASURE_YTD or seasonal:
        months = 12
    else:
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[period_kind]
    return period_kind, _shift_months(period_start, -months)


def choose_comparator(
    period_kind: str,
    period_start: datetime.date,
    measure_type: str,
    seasonal: bool,
    available: Mapping[PeriodKey, object] | Iterable[PeriodKey],
) -> PeriodKey | None:
    """The comparator period's (kind, start) if it has a value in ``available``, else None.

    ``available`` maps (kind, start_date) to a value (or is any collection of
    such keys). A missing comparator means "not comparable": we never fall
    back to some other period, because that would silently change what the
    arrow means.
    """
    key = comparator_key(period_kind, period_start, measure_type, seasonal)
    if isinstance(available, Mapping):
        return key if available.get(key) is not None else None
    return key if key in set(available) else None


def periods_comparable(kind_a: str, kind_b: str, allow_cross_kind: bool = False) -> bool:
    """Whether values for periods of these kinds may be compared.

    Different kinds cover different spans (a Q3 figure against a full year), so
    they are only compared when the indicator explicitly allows it.
    """
    return kind_a == kind_b or allow_cross_kind


def consecutive_worsening(directions: Iterable[str]) -> int:
    """How many of the most recent directions (oldest first) are BAD in a row.

    Used for the exception rule "worsening for 2 or more consecutive periods".
    """
    run = 0
    for direction in directions:
        run = run + 1 if direction == BAD else 0
    return run
