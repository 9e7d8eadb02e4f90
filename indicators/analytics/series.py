"""Assess a whole series of one indicator: RAG and direction of travel for every result.

Pure: takes plain numbers and dates, returns plain records. `indicators.services.assessments`
feeds it from the database and writes what it returns in bulk.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from .constants import MEASURE_SNAPSHOT, MEASURE_YTD, MONTH, NO_RAG, NOT_COMPARABLE, QUARTER, YEAR
from .direction import choose_comparator, direction_of_travel
from .rag import rag_status

FREQUENCY_KIND = {"monthly": MONTH, "quarterly": QUARTER, "annual": YEAR}
PeriodKey = tuple[str, datetime.date]


class SeriesPoint(NamedTuple):
    """One result of a series. A named tuple, not a frozen dataclass: a full recompute makes
    120,000 of them, and a frozen dataclass's __init__ took twice as long (80 against 46 ms)."""

    kind: str
    start: datetime.date
    end: datetime.date
    value: Decimal

    @property
    def key(self) -> PeriodKey:
        return self.kind, self.start


@dataclass(frozen=True)
class IndicatorRules:
    polarity: str
    frequency: str = "monthly"
    measure_type: str = "period"
    unit: str = "count"
    seasonal: bool = False
    compare_across_period_kinds: bool = False
    tolerance: Decimal = Decimal(5)
    tolerance_kind: str = "percent"
    change_threshold: Decimal | None = None
    change_threshold_kind: str = "absolute"
    # Year-to-date measures: whether each period adds an amount (True) or the value is a running
    # rate whose base changes (False); None: decided by the unit (`bulk.is_additive`).
    ytd_accumulates: bool | None = None

    @property
    def annual_target_applies_to_parts(self) -> bool:
        """Whether a financial year's target also judges its months and quarters.

        True for snapshots and rates (a 95 % target holds in every month); false for counts and
        cumulative (YTD) values, rates included, where a part-year figure is not comparable with a full-year
        target: those need a profiled target for the month or quarter itself.
        """
        if self.measure_type == MEASURE_YTD:
            return False  # 8 % collected by April is not a miss of a 97 % year-end target
        return self.measure_type == MEASURE_SNAPSHOT or self.unit in {"percentage", "ratio"}


@dataclass(frozen=True)
class PointAssessment:
    key: PeriodKey
    value: Decimal
    target: Decimal | None
    rag: str
    direction: str
    comparator: PeriodKey | None
    comparator_value: Decimal | None
    is_latest: bool


def target_for(
    point: SeriesPoint, targets: dict[PeriodKey, Decimal], rules: IndicatorRules
) -> Decimal | None:
    """The target a result is judged against: its own period's, else (where it applies) the year's."""
    if point.key in targets:
        return targets[point.key]
    if point.kind != YEAR and rules.annual_target_applies_to_parts:
        fy_start = datetime.date(point.start.year if point.start.month >= 4 else point.start.year - 1, 4, 1)
        return targets.get((YEAR, fy_start))
    return None


def _cross_kind_comparator(point: SeriesPoint, points: list[SeriesPoint]) -> SeriesPoint | None:
    """For indicators whose values are comparable across period kinds (a forecast outturn):
    the most recent earlier result of any kind that ended before this period began."""
    earlier = [p for p in points if p.end < point.start]
    return max(earlier, key=lambda p: (p.end, p.kind == point.kind), default=None)


def latest_key(points: list[SeriesPoint], rules: IndicatorRules) -> PeriodKey | None:
    """The most recent result: latest end date; on a tie, the indicator's own frequency wins."""
    own_kind = FREQUENCY_KIND.get(rules.frequency)
    best = max(points, key=lambda p: (p.end, p.kind == own_kind, p.start), default=None)
    return best.key if best else None


def assess_series(
    points: list[SeriesPoint], targets: dict[PeriodKey, Decimal], rules: IndicatorRules
) -> list[PointAssessment]:
    """RAG and direction of travel for each point of one indicator's series."""
    by_key = {p.key: p for p in points}
    values = {k: p.value for k, p in by_key.items()}
    latest = latest_key(points, rules)
    assessed = []
    for point in sorted(points, key=lambda p: (p.start, p.kind)):
        target = target_for(point, targets, rules)
        rag = rag_status(point.value, target, rules.polarity, rules.tolerance, rules.tolerance_kind)
        comparator = choose_comparator(point.kind, point.start, rules.measure_type, rules.seasonal, values)
        if comparator is None and rules.compare_across_period_kinds:
            other = _cross_kind_comparator(point, points)
            comparator = other.key if other else None
        previous = values.get(comparator) if comparator else None
        direction = direction_of_travel(
            point.value, previous, rules.polarity, rules.change_threshold, rules.change_threshold_kind
        )
        assessed.append(
            PointAssessment(
                key=point.key,
                value=point.value,
                target=target,
                rag=rag or NO_RAG,
                direction=direction if comparator else NOT_COMPARABLE,
                comparator=comparator,
                comparator_value=previous,
                is_latest=point.key == latest,
            )
        )
    return assessed
