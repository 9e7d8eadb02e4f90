"""Remedial-plan trajectories, pure: checking a proposed trajectory, and tracking results against it.

A trajectory is an expected result per period, from the first period after the clinic to the
recovery date, with no gap. Each result is "on trajectory" when it is at least as good as the
expected value by the indicator's polarity (up is good: actual ≥ expected; up is bad:
actual ≤ expected). A plan's status: "recovered" when the latest result is on trajectory and
meets its target (RAG green); "off track" when the latest result is off trajectory; "on track"
otherwise; "awaiting results" before the first one. Two consecutive periods off trajectory
notify the plan's owner and the hub.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from indicators.analytics.constants import GREEN, UP_IS_BAD, UP_IS_GOOD

ON = "on"
OFF = "off"
AWAITING = "awaiting"
JUDGEMENT_LABELS = {ON: "On trajectory", OFF: "Off trajectory", AWAITING: "Awaiting result"}

ON_TRACK = "on_track"
OFF_TRACK = "off_track"
RECOVERED = "recovered"
NO_RESULTS = "no_results"
STATUS_LABELS = {
    ON_TRACK: "On track",
    OFF_TRACK: "Off track",
    RECOVERED: "Recovered",
    NO_RESULTS: "Awaiting results",
}
NOTIFY_AFTER = 2  # consecutive periods off trajectory


def judge(actual: Decimal | None, expected: Decimal, polarity: str) -> str:
    if actual is None:
        return AWAITING
    if polarity == UP_IS_BAD:
        return ON if actual <= expected else OFF
    if polarity == UP_IS_GOOD:
        return ON if actual >= expected else OFF
    return ON if actual == expected else OFF  # neutral polarity: only exact is "on"


@dataclass(frozen=True)
class TrackedPeriod:
    start: datetime.date
    label: str
    expected: Decimal
    actual: Decimal | None
    rag: str
    judgement: str

    @property
    def judgement_label(self) -> str:
        return JUDGEMENT_LABELS[self.judgement]


@dataclass(frozen=True)
class Tracking:
    rows: list[TrackedPeriod]
    status: str
    off_run: int  # consecutive off-trajectory periods ending at the latest result

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def needs_notice(self) -> bool:
        return self.off_run >= NOTIFY_AFTER

    @property
    def latest(self) -> TrackedPeriod | None:
        judged = [row for row in self.rows if row.judgement != AWAITING]
        return judged[-1] if judged else None


def track(
    trajectory: Sequence[tuple[datetime.date, str, Decimal]],
    results: dict[datetime.date, tuple[Decimal, str]],
    polarity: str,
) -> Tracking:
    """Judge each trajectory period's result. ``trajectory``: (period start, label, expected);
    ``results``: period start → (actual, RAG)."""
    rows = []
    for start, label, expected in sorted(trajectory):
        actual, rag = results.get(start, (None, ""))
        rows.append(TrackedPeriod(start, label, expected, actual, rag, judge(actual, expected, polarity)))
    judged = [row for row in rows if row.judgement != AWAITING]
    off_run = 0
    for row in judged:
        off_run = off_run + 1 if row.judgement == OFF else 0
    if not judged:
        status = NO_RESULTS
    elif judged[-1].judgement == OFF:
        status = OFF_TRACK
    elif judged[-1].rag == GREEN:
        status = RECOVERED
    else:
        status = ON_TRACK
    return Tracking(rows=rows, status=status, off_run=off_run)


def trajectory_problems(
    starts: Sequence[datetime.date],
    expected_starts: Sequence[datetime.date],
    values: Sequence[Decimal],
    *,
    plausible_min: Decimal | None,
    plausible_max: Decimal | None,
    shown=None,
) -> list[str]:
    """What is wrong with a proposed trajectory, in words; empty when it is acceptable.

    ``shown``: how a limit is written in the message (the indicator's formatter).

    ``starts``: the periods given; ``expected_starts``: every period from the first to the
    recovery date (so a missing one is a gap).
    """
    problems = []
    if not starts:
        return ["Enter an expected result for at least one period."]
    given = set(starts)
    gaps = [start for start in expected_starts if start not in given]
    if gaps:
        problems.append(
            "The trajectory has a gap: enter an expected result for every period to the recovery date "
            f"(missing {', '.join(f'{g:%b %Y}' for g in gaps[:3])}{'…' if len(gaps) > 3 else ''})."
        )
    low = [v for v in values if plausible_min is not None and v < plausible_min]
    high = [v for v in values if plausible_max is not None and v > plausible_max]
    if low or high:
        problems.append(
            "An expected result is outside the indicator's plausible range "
            f"({_fmt(plausible_min, shown)} to {_fmt(plausible_max, shown)})."
        )
    return problems


def _fmt(value: Decimal | None, shown=None) -> str:
    if value is None:
        return "no limit"
    return shown(value) if shown else f"{value.normalize():f}"
