"""Action progress: the progress RAG and the overdue flag (pure: no Django).

An in-progress action is expected to be as far through its work as it is through its time:
expected % = share of the days from start to completed-by date that have elapsed. Its progress
RAG compares percent complete with that expectation: on track at ≥ 90 % of expected, some
slippage at ≥ 70 %, off track below (thresholds configurable). Only in-progress actions get a
progress RAG; an action not finished by its completed-by date is overdue whatever its status,
except completed and cancelled ones.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

ON_TRACK = "on_track"
SLIPPAGE = "slippage"
OFF_TRACK = "off_track"
PROGRESS_LABELS = {ON_TRACK: "On track", SLIPPAGE: "Some slippage", OFF_TRACK: "Off track"}

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DEFERRED = "deferred"
COMPLETED = "completed"
CANCELLED = "cancelled"
CLOSED = frozenset({COMPLETED, CANCELLED})


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal = Decimal(90)  # % of expected progress
    slippage: Decimal = Decimal(70)

    def __post_init__(self):
        if not (0 <= self.slippage <= self.on_track):
            raise ValueError("The slippage threshold must be between 0 and the on-track threshold.")


DEFAULT_THRESHOLDS = Thresholds()


def expected_percent(start: datetime.date, due: datetime.date, today: datetime.date) -> Decimal:
    """Share of the action's time elapsed by `today`, as a percentage 0–100."""
    if today <= start:
        return Decimal(0)
    if today >= due or due <= start:
        return Decimal(100)
    return Decimal((today - start).days * 100) / Decimal((due - start).days)


def progress_rag(
    *,
    status: str,
    percent_complete: int,
    start: datetime.date,
    due: datetime.date,
    today: datetime.date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """ON_TRACK / SLIPPAGE / OFF_TRACK for an in-progress action; "" for any other status."""
    if status != IN_PROGRESS:
        return ""
    expected = expected_percent(start, due, today)
    if expected == 0:
        return ON_TRACK
    ratio = Decimal(percent_complete) * 100 / expected
    if ratio >= thresholds.on_track:
        return ON_TRACK
    if ratio >= thresholds.slippage:
        return SLIPPAGE
    return OFF_TRACK


def is_overdue(*, status: str, due: datetime.date, today: datetime.date) -> bool:
    """Past its completed-by date and neither completed nor cancelled."""
    return status not in CLOSED and today > due


def update_due(
    *, frequency: str, last_update: datetime.date | None, today: datetime.date, status: str
) -> bool:
    """Whether an open action needs a progress update for the month (monthly) or quarter containing today."""
    if status in CLOSED:
        return False
    if last_update is None:
        return True
    if frequency == "monthly":
        return (last_update.year, last_update.month) < (today.year, today.month)
    if frequency == "annual":
        return _financial_year(last_update) < _financial_year(today)
    return _quarter_index(last_update) < _quarter_index(today)


def _financial_year(day: datetime.date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def _quarter_index(day: datetime.date) -> int:
    # Financial quarters: Q1 Apr–Jun …; a running index so comparisons cross years.
    return _financial_year(day) * 4 + ((day.month - 4) % 12) // 3
