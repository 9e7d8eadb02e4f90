"""Exception reasons (DOMAIN.md "Exceptions"), pure: which reasons put an indicator on a period's list.

Reason codes are the values of `reporting.models.ExceptionReason`; kept as plain strings here so the
rule can be tested without a database.
"""

import datetime
from collections.abc import Sequence

from .constants import BAD, RED, SPECIAL_CONCERNING
from .direction import consecutive_worsening

REASON_RED = "red"
REASON_WORSENING = "worsening"
REASON_SPECIAL_CONCERNING = "special_concerning"
REASON_FORECAST_RED = "forecast_red"
REASON_MISSING = "missing"
WORSENING_RUN = 2  # "worsening for 2 or more consecutive periods"


def due_date(period_end: datetime.date, submission_lag_days: int) -> datetime.date:
    """The day a return falls due: period end + the indicator's submission lag."""
    return period_end + datetime.timedelta(days=submission_lag_days)


def is_past_due(due: datetime.date, as_of: datetime.date) -> bool:
    """The one lateness rule (DOMAIN.md "missing past its due date"), shared by returns, data quality
    and the exception lists: a return is late only when its due date is strictly before the
    reporting date. On the due date itself it is still "Due", not "Overdue" or "missing".
    """
    return due < as_of


def is_overdue(period_end: datetime.date, submission_lag_days: int, as_of: datetime.date) -> bool:
    """`is_past_due` from a period's end and its submission lag."""
    return is_past_due(due_date(period_end, submission_lag_days), as_of)


def exception_reasons(
    *,
    rag: str = "",
    directions_so_far: Sequence[str] = (),
    variation: str = "",
    forecast_rag: str = "",
    missing: bool = False,
) -> list[str]:
    """Every reason that applies, in DOMAIN.md's order; empty when the indicator is not an exception.

    ``directions_so_far``: the directions of travel of the indicator's series up to and including
    this period, oldest first (the run of "Bad" must end at this period).
    """
    if missing:
        return [REASON_MISSING]
    reasons = []
    if rag == RED:
        reasons.append(REASON_RED)
    if (
        directions_so_far
        and directions_so_far[-1] == BAD
        and consecutive_worsening(directions_so_far) >= WORSENING_RUN
    ):
        reasons.append(REASON_WORSENING)
    if variation == SPECIAL_CONCERNING:
        reasons.append(REASON_SPECIAL_CONCERNING)
    if forecast_rag == RED:
        reasons.append(REASON_FORECAST_RED)
    return reasons
