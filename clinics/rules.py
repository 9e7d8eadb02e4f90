"""When the portal suggests a clinic (issue 14), pure: no Django, tested on plain rows.

An indicator is "clinic suggested" when, at its latest assessed period, any of:

* red and worsening for two or more periods: its last two (or more) consecutive assessments are
  each RAG red with direction of travel Bad — a single red month that worsened is an exception,
  two in a row is a concern worth a clinic;
* special cause concerning: the latest point's variation (XmR) is special cause concerning;
* forecast red for the year in two consecutive quarters: the year-end forecast made at the last
  assessment of each of two consecutive quarters of the same financial year is red, and the later
  quarter is the one of the latest assessment (a forecast that was red in Q1 and Q2 but green in
  Q3 is no longer a concern).

Nothing is called automatically: the hub accepts (a clinic is requested) or dismisses each
suggestion with a note.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from indicators.analytics.constants import BAD, RED, SPECIAL_CONCERNING

RED_AND_WORSENING = "red_and_worsening"
SPECIAL_CAUSE_CONCERNING = "special_concerning"
FORECAST_RED_TWO_QUARTERS = "forecast_red_two_quarters"

RULE_LABELS = {
    RED_AND_WORSENING: "Red and worsening for two or more periods",
    SPECIAL_CAUSE_CONCERNING: "Special cause – concerning variation",
    FORECAST_RED_TWO_QUARTERS: "Forecast red for the year in two consecutive quarters",
}
RED_AND_WORSENING_RUN = 2


@dataclass(frozen=True)
class Point:
    """One stored assessment of an indicator, as much as the rules need."""

    start: datetime.date  # the period's start
    rag: str
    direction: str
    variation: str = ""
    forecast_rag: str = ""


def red_and_worsening_run(points: Sequence[Point]) -> int:
    """How many of the latest points (oldest first) are red *and* worsening, in a row."""
    run = 0
    for point in points:
        run = run + 1 if point.rag == RED and point.direction == BAD else 0
    return run


def _quarter_key(day: datetime.date) -> tuple[int, int]:
    """(financial year, quarter number 1–4) of a date."""
    fy = day.year if day.month >= 4 else day.year - 1
    return fy, ((day.month - 4) % 12) // 3 + 1


def forecast_red_in_consecutive_quarters(points: Sequence[Point]) -> bool:
    """The year-end forecast at the end of each of the last two quarters (so far) is red."""
    latest_in_quarter: dict[tuple[int, int], Point] = {}
    for point in points:  # oldest first: a later point in the quarter replaces an earlier one
        latest_in_quarter[_quarter_key(point.start)] = point
    if len(latest_in_quarter) < 2:
        return False
    (fy_a, q_a), (fy_b, q_b) = sorted(latest_in_quarter)[-2:]
    if fy_a != fy_b or q_b != q_a + 1:
        return False
    return all(latest_in_quarter[key].forecast_rag == RED for key in ((fy_a, q_a), (fy_b, q_b)))


def suggestion_reasons(points: Sequence[Point]) -> list[str]:
    """The rules that suggest a clinic for an indicator's series (oldest first), in a fixed order."""
    if not points:
        return []
    points = sorted(points, key=lambda p: p.start)
    reasons = []
    if red_and_worsening_run(points) >= RED_AND_WORSENING_RUN:
        reasons.append(RED_AND_WORSENING)
    if points[-1].variation == SPECIAL_CONCERNING:
        reasons.append(SPECIAL_CAUSE_CONCERNING)
    if forecast_red_in_consecutive_quarters(points):
        reasons.append(FORECAST_RED_TWO_QUARTERS)
    return reasons
