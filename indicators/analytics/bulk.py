"""Assess every series at once: RAG, direction of travel, variation (XmR) and year-end forecasts.

Pure (pandas, no Django): `indicators.services.assessments` reads indicators, results, targets and
annotations as plain rows, calls `assess_all`, and writes what it returns in bulk. RAG and
direction of travel are computed for every series at once (`indicators.analytics.vectorised`,
exact integer arithmetic, proved equal to the reference `assess_series` point for point; the rare
indicators it does not cover go through `assess_series` itself); variation and forecasts are
grouped by indicator and reuse the tested per-series functions (`xmr`, `forecast_year_end`). The
bulk path and the per-indicator path after an edit are the same code.

Product decisions the documents leave open, made here:

- **Which points form the XmR series**: the results of the indicator's own frequency (months of a
  monthly indicator), oldest first, missing periods dropped. Additive year-to-date measures
  (cumulative counts, money, days) are charted as the amount added in each period, since a
  cumulative series rises every month by construction and would always show a "trend".
  Whether a year-to-date measure accumulates is the library's (``ytd_accumulates``), else the unit's.
  Non-additive year-to-date measures (a running rate) get no variation: their value is an
  average that restarts each April and is not an individual observation.
- **Variation per period** is that point's judgement on the indicator's whole current chart (as the
  chart shows it). What a committee saw at the time is kept by the as-reported snapshot
  (`reporting.ReportedAssessment`), not by re-deriving old charts.
- **Rebase**: an annotation that starts a new baseline starts a new segment at the first result
  whose period starts on or after its date (an annotation before the first result changes nothing).
- **Sustained shift per period**: that point's sustained shift on the current chart (`xmr`'s
  ``shift_start``), as the start date of the charted period where it began (``shift_since``); its
  assurance is then "limits pre-date the change" instead of a verdict, unless the hub dismissed a
  rebase from that start.
- **Assurance per period**: the target against that point's process limits, both in the terms of
  the charted value (`xmr_targets`): the target the result's RAG uses for a `period` or `snapshot`
  measure (its own period's; the year's only where that also judges the parts, so a monthly count
  with only an annual target gets no assurance); for a cumulative year-to-date measure charted as
  the amount added in each period, the amount its profiled cumulative targets add in that period
  (this period's target less the previous period's; the year's first period its own). A cumulative
  target (41 apprenticeships by Q3) against the limits of quarterly amounts (9 to 15 a quarter) would
  say "consistently fails" of a series on target. Where no target in those terms exists, no
  assurance rather than a wrong one.
- **Forecasts** are made for monthly and quarterly indicators at each period of their latest
  financial year (what the current year's reports and exception lists use). A quarterly series is
  forecast by the same monthly methods after spreading each quarter over its three months (an
  additive amount a third a month; a level, such as a rate or snapshot, held for the quarter), so
  run rate and seasonal profile give exactly their quarterly results; the forecast is stored on
  the quarter. Annual indicators are not forecast: a year has no part-year points to go on. The method is the per-type default chosen
  by `manage.py backtest` (`DEFAULT_FORECAST_METHODS`) when its data requirements are met, else
  the automatic choice of `forecast_year_end`. A full recompute makes every series' forecasts at
  once (`forecast_batch`, equal bit for bit to `forecast_with` and `forecast_rag` at each point;
  Holt-Winters still fits one series at a time); one indicator after an edit takes `_forecasts`.
"""

import datetime
import functools
import math
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from .constants import (
    FORECAST_HOLT_WINTERS,
    FORECAST_LINEAR_TREND,
    FORECAST_RUN_RATE,
    FORECAST_SEASONAL_PROFILE,
    LIMITS_PREDATE_CHANGE,
    MEASURE_SNAPSHOT,
    MEASURE_YTD,
    MONTH,
    NEUTRAL,
    QUARTER,
    YEAR,
)
from .forecast import forecast_rag, forecast_with
from .forecast_batch import ForecastSeries, forecast_many, forecast_rags
from .series import FREQUENCY_KIND, IndicatorRules, PeriodKey, SeriesPoint, assess_series, target_for
from .variation import MIN_BASELINE_FOR_FIRM_LIMITS, assurance_for, xmr
from .variation_bulk import Series, xmr_many
from .vectorised import COLUMNS as VECTORISED_COLUMNS
from .vectorised import assess_frames

# Results from which RAG and direction of travel are vectorised (see `assess_all`); the answers are
# the same either way.
VECTORISE_FROM = 1000
# Forecast points from which the forecasts are computed all at once (`forecast_batch`); below it
# (one indicator after an edit) numpy's fixed cost is more than it saves. The same answers either way.
BATCH_FORECASTS_FROM = 120
ADDITIVE_UNITS = {"count", "currency", "currency_thousands"}

# Forecast "types" the backtest compares methods on.
TYPE_ADDITIVE_PERIOD = "additive_period"
TYPE_ADDITIVE_YTD = "additive_ytd"
TYPE_LEVEL = "level"
FORECAST_TYPE_LABELS = {
    TYPE_ADDITIVE_PERIOD: "Additive, value for the period (counts, money)",
    TYPE_ADDITIVE_YTD: "Additive, cumulative year to date",
    TYPE_LEVEL: "Level (rates, percentages, snapshots, averages)",
}

# The method that had the lowest mean absolute percentage error per type in `manage.py backtest`
# on the demo council (docs/benchmarks.md holds the table). Rerun the backtest to revisit.
DEFAULT_FORECAST_METHODS = {
    TYPE_ADDITIVE_PERIOD: FORECAST_SEASONAL_PROFILE,
    TYPE_ADDITIVE_YTD: FORECAST_SEASONAL_PROFILE,
    TYPE_LEVEL: FORECAST_LINEAR_TREND,
}
CANDIDATE_METHODS = {
    TYPE_ADDITIVE_PERIOD: (
        FORECAST_RUN_RATE,
        FORECAST_SEASONAL_PROFILE,
        FORECAST_LINEAR_TREND,
        FORECAST_HOLT_WINTERS,
    ),
    TYPE_ADDITIVE_YTD: (
        FORECAST_RUN_RATE,
        FORECAST_SEASONAL_PROFILE,
        FORECAST_LINEAR_TREND,
        FORECAST_HOLT_WINTERS,
    ),
    TYPE_LEVEL: (FORECAST_RUN_RATE, FORECAST_LINEAR_TREND, FORECAST_HOLT_WINTERS),
}


def is_additive(measure_type: str, unit: str, ytd_accumulates: bool | None = None) -> bool:
    """Whether months add up to the year: counts and money per period, or any cumulative amount.

    The rule reads the measure type, the unit and, for year-to-date measures, the library's
    ``ytd_accumulates`` (DOMAIN.md "Indicators": the library says whether a year-to-date measure
    accumulates):

    - ``snapshot``: never additive (a headcount at March is not the sum of the months);
    - ``ytd``: ``ytd_accumulates`` when the library says (True: each period adds an amount, such as
      council tax collected as a % of the year's fixed debit, or waste per household so far;
      False: a running rate whose base changes, such as sickness days per FTE so far). Left blank,
      the unit decides: additive unless the unit is ``percentage`` or ``ratio``;
    - ``period``: additive exactly when the unit is ``count``, ``currency`` or
      ``currency_thousands``. ``percentage``, ``ratio`` and ``days`` are levels: ``days`` per
      period is taken to be a time taken (average days to re-let), so a total of days in a period
      is entered as a ``count``.

    The title is not read. An average, mean, median, speed, rate or "per" figure is a level
    whatever it counts (seconds, pounds, kilograms), so it must use the ``ratio`` (or ``days``)
    unit: entered as a ``count`` or in ``currency`` per period it would be summed, and its year-end
    forecast would be twelve months of averages added together.
    """
    if measure_type == MEASURE_SNAPSHOT:
        return False
    if measure_type == MEASURE_YTD:
        if ytd_accumulates is not None:
            return bool(ytd_accumulates)
        return unit not in {"percentage", "ratio"}
    return unit in ADDITIVE_UNITS


def variation_basis(measure_type: str, unit: str, ytd_accumulates: bool | None = None) -> str | None:
    """What the XmR chart plots: "value" (the result), "increment" (the amount added in each period
    of an accumulating year-to-date measure) or None (a year-to-date running rate: no chart, since
    its value is an average that restarts each April, not one observation per period)."""
    if measure_type != MEASURE_YTD:
        return "value"
    return "increment" if is_additive(measure_type, unit, ytd_accumulates) else None


def forecast_type(measure_type: str, unit: str, ytd_accumulates: bool | None = None) -> str:
    if not is_additive(measure_type, unit, ytd_accumulates):
        return TYPE_LEVEL
    return TYPE_ADDITIVE_YTD if measure_type == MEASURE_YTD else TYPE_ADDITIVE_PERIOD


@dataclass(frozen=True)
class IndicatorSpec:
    """What the bulk assessment needs to know about one indicator."""

    id: int
    rules: IndicatorRules
    baseline_points: int | None = None
    rebase_dates: tuple[datetime.date, ...] = ()
    # Starts (period start dates) of sustained shifts whose suggested rebase the hub dismissed.
    dismissed_shift_dates: tuple[datetime.date, ...] = ()


@dataclass(slots=True)
class Assessed:
    """One assessed point: the columns of the stored Assessment, as plain values."""

    indicator_id: int
    kind: str
    start: datetime.date
    value: Decimal
    target: Decimal | None
    rag: str
    direction: str
    comparator: tuple[str, datetime.date] | None
    comparator_value: Decimal | None
    is_latest: bool
    variation: str = ""
    special_cause_rule: str = ""
    assurance: str = ""
    centre_line: float | None = None
    upper_limit: float | None = None
    lower_limit: float | None = None
    trial_limits: bool = False
    # Start of the charted period where the sustained shift this point ends began (a rebase is
    # suggested from there; the assurance is not judged meanwhile), or None.
    shift_since: datetime.date | None = None
    forecast_value: float | None = None
    forecast_low: float | None = None
    forecast_high: float | None = None
    forecast_method: str = ""
    forecast_inputs: dict = field(default_factory=dict)
    forecast_rag: str = ""


# The forecast's fields of an `Assessed` (what `_forecasts` and the batch fill in).
FORECAST_FIELDS = tuple(name for name in Assessed.__dataclass_fields__ if name.startswith("forecast_"))


def _fy_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


_START = operator.attrgetter("start")


def _xmr_series(points: list[SeriesPoint], rules: IndicatorRules) -> tuple[list[SeriesPoint], list[float]]:
    """The points charted on the XmR and the value charted for each (see the module docstring)."""
    own_kind = FREQUENCY_KIND.get(rules.frequency)
    own = sorted((p for p in points if p.kind == own_kind), key=_START)
    if rules.measure_type != MEASURE_YTD:
        return own, [float(p.value) for p in own]
    if not is_additive(rules.measure_type, rules.unit, rules.ytd_accumulates):
        return [], []
    # Amount added in each period: the difference from the previous period of the same
    # financial year, or the value itself for the year's first period. A gap leaves the next
    # period's increment unknown, so that point is left off the chart.
    by_key = {p.key: p for p in own}
    charted, values = [], []
    for p in own:
        previous = _previous_part(p)
        if previous is None:
            charted.append(p)
            values.append(float(p.value))
            continue
        prev = by_key.get(previous)
        if prev is not None:
            charted.append(p)
            values.append(float(p.value - prev.value))
    return charted, values


def _previous_part(point: SeriesPoint) -> PeriodKey | None:
    """The period before ``point`` in the same financial year (None for its first), same kind."""
    return _previous_key(point.kind, point.start)


@functools.cache
def _previous_key(kind: str, start: datetime.date) -> PeriodKey | None:
    # Cached: a full recompute asks it of the same few hundred periods for every YTD series.
    if kind == YEAR or start.month == 4:
        return None
    index = _month_index(start) - {MONTH: 1, QUARTER: 3}[kind]
    return kind, _date(index)


def xmr_targets(charted: list[SeriesPoint], targets: dict, rules: IndicatorRules) -> list[Decimal | None]:
    """For each charted point, the target in the terms of its charted value (None: no like-for-like target).

    Non-cumulative measures chart the result itself, so the target is the one its RAG uses
    (`target_for`). Additive year-to-date measures chart the amount added in each period, so the
    target is the amount the profiled cumulative targets add in that period: this period's target
    less the previous period's of the same year (the year's first period, or a year, its own). An
    annual target alone cannot be split into periods without guessing a profile, so it gives none.
    """
    if rules.measure_type != MEASURE_YTD:
        return [target_for(point, targets, rules) for point in charted]
    out: list[Decimal | None] = []
    for point in charted:
        own = targets.get(point.key)
        previous = _previous_part(point)
        if own is None or previous is None:
            out.append(own)
        else:
            before = targets.get(previous)
            out.append(None if before is None else own - before)
    return out


def _chart_indices(spec: IndicatorSpec, charted: list[SeriesPoint]) -> tuple[list[int], set[int]]:
    """(rebase indices, dismissed shift-start indices) of the charted points, for `xmr`."""
    rebase = sorted(
        {next((i for i, p in enumerate(charted) if p.start >= day), None) for day in spec.rebase_dates}
        - {None, 0}
    )
    dismissed_dates = set(spec.dismissed_shift_dates)
    dismissed = {i for i, p in enumerate(charted) if p.start in dismissed_dates} if dismissed_dates else set()
    return rebase, dismissed


def _variation(spec: IndicatorSpec, points: list[SeriesPoint], targets: dict, out: dict) -> None:
    """The reference for one indicator, by the scalar `xmr`: `_variations` must set exactly these fields."""
    charted, values = _xmr_series(points, spec.rules)
    if len(charted) < 2:
        return
    rebase, dismissed = _chart_indices(spec, charted)
    chart = xmr(
        values,
        spec.rules.polarity,
        baseline_points=spec.baseline_points,
        rebase_at=rebase or None,
        dismissed_shift_starts=dismissed,
    )
    bounds = list(zip(chart.segment_starts, chart.segment_starts[1:] + [len(charted)], strict=True))
    # From the targets themselves, not the RAG's row.target: the same whichever path gave the RAG,
    # and in the charted terms (a cumulative target is not compared with per-period limits).
    assurance_targets = xmr_targets(charted, targets, spec.rules)
    segment = iter(bounds)
    seg_start, seg_end = next(segment)
    for i, point in enumerate(charted):
        row = out[point.key]
        while i >= seg_end:  # the segments are consecutive and cover every point, in order
            seg_start, seg_end = next(segment)
        baseline_len = min(spec.baseline_points or seg_end - seg_start, seg_end - seg_start)
        lower, upper = chart.lower_limit[i], chart.upper_limit[i]
        row.variation = chart.variation[i] or ""
        row.special_cause_rule = chart.rule[i] or ""
        row.centre_line, row.upper_limit, row.lower_limit = chart.mean[i], upper, lower
        row.trial_limits = baseline_len < MIN_BASELINE_FOR_FIRM_LIMITS
        shift = chart.shift_start[i]
        row.shift_since = charted[shift].start if shift is not None else None
        target = assurance_targets[i]
        if target is not None and lower is not None and spec.rules.polarity != NEUTRAL:
            if row.shift_since is not None:
                row.assurance = LIMITS_PREDATE_CHANGE
            else:
                row.assurance = assurance_for(target, lower, upper, spec.rules.polarity)


def _variations(jobs: list[tuple[IndicatorSpec, list[SeriesPoint], dict, dict]]) -> None:
    """`_variation` for every (spec, points, targets, rows) at once: one `xmr_many` over all series.

    Sets exactly the fields `_variation` sets (tests/indicators/analytics/test_variation_bulk.py
    compares the two on random indicators and the demo council); `_variation` stays the reference.
    """
    charted_of, series = [], []
    for spec, points, targets, out in jobs:
        charted, values = _xmr_series(points, spec.rules)
        if len(charted) < 2:
            continue
        rebase, dismissed = _chart_indices(spec, charted)
        series.append(Series(values, spec.rules.polarity, spec.baseline_points, rebase or None, dismissed))
        rows = [out[(p.kind, p.start)] for p in charted]  # each charted point's row, found once
        if spec.rules.measure_type == MEASURE_YTD:
            assurance_targets = xmr_targets(charted, targets, spec.rules)
        else:
            # `xmr_targets` is `target_for` here, which is exactly the row's RAG target on either
            # path (the vectorised one is proved equal to `assess_series`): read, not recomputed.
            assurance_targets = [row.target for row in rows]
        charted_of.append((spec.rules.polarity, charted, rows, assurance_targets))
    if not series:
        return
    charts = xmr_many(series)
    # Plain Python lists (NaN back to None), read point by point below.
    mean, upper, lower = (
        [None if x != x else x for x in a.tolist()]
        for a in (charts.mean, charts.upper_limit, charts.lower_limit)
    )
    variation, trial, shift_start = (
        charts.variation.tolist(),
        charts.trial.tolist(),
        charts.shift_start.tolist(),
    )
    rule = [r or "" for r in charts.rule.tolist()]
    i = 0
    for polarity, charted, rows, assurance_targets in charted_of:
        judged = polarity != NEUTRAL
        for row, target in zip(rows, assurance_targets, strict=True):
            row.variation, row.special_cause_rule = variation[i], rule[i]
            row.centre_line, row.upper_limit, row.lower_limit = mean[i], upper[i], lower[i]
            row.trial_limits = trial[i]
            shift = shift_start[i]
            row.shift_since = charted[shift].start if shift >= 0 else None
            if shift >= 0:  # a sustained shift: the point has limits
                if target is not None and judged:
                    row.assurance = LIMITS_PREDATE_CHANGE
            elif target is not None and judged and lower[i] is not None:
                row.assurance = assurance_for(target, lower[i], upper[i], polarity)
            i += 1


def monthly_inputs(
    months: dict[datetime.date, float], fy: int, upto: datetime.date | None = None
) -> tuple[list[float | None], list[float | None], list[float | None]]:
    """(months_so_far, last_year, history) for `forecast_year_end`, from {month start: value}.

    ``upto`` cuts this year's months (the forecast made at that month); history runs from the
    first month with a value to the March before ``fy``.
    """
    april = datetime.date(fy, 4, 1)
    first = _month_index(april)
    last = _month_index(upto) if upto else first + 11
    so_far = [months.get(_date(i)) for i in range(first, last + 1)]
    last_year = [months.get(_date(i)) for i in range(first - 12, first)]
    earliest = min((_month_index(d) for d in months if d < april), default=first)
    history = [months.get(_date(i)) for i in range(earliest, first)]
    return so_far, last_year, history


def _date(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


class MonthlyInputs:
    """`monthly_inputs` for every forecast point of one series, the months laid out once.

    `monthly_inputs` rebuilds its three lists from the {month: value} dict at every call (a date
    per month of history per forecast: 1.57 million dates for 12,000 forecasts at 1,000
    indicators). This lays the series out once as a dense list by month index and slices it, so
    `of(upto)` returns exactly what `monthly_inputs(months, fy, upto)` does (tested so with
    Hypothesis): the scalar function stays the reference, and its rules are not repeated here.
    """

    def __init__(self, months: dict[datetime.date, float], fy: int):
        self.first = first = _month_index(datetime.date(fy, 4, 1))
        indexes = [d.year * 12 + d.month - 1 for d in months]  # `_month_index`, inline: 120 a series
        self.earliest = min((i for i in indexes if i < first), default=first)
        self.low = min(self.earliest, self.first - 12)
        high = max(max(indexes, default=self.first), self.first + 11)
        self.dense: list[float | None] = [None] * (high - self.low + 1)
        for i, value in zip(indexes, months.values(), strict=True):
            self.dense[i - self.low] = value

    def of(self, upto: datetime.date | None = None):
        first, low, dense = self.first, self.low, self.dense
        last = _month_index(upto) if upto else first + 11
        so_far = dense[first - low : last + 1 - low] if last >= first else []
        last_year = dense[first - 12 - low : first - low]
        history = dense[self.earliest - low : first - low]
        return so_far, last_year, history


@dataclass(slots=True)
class _ForecastJob:
    """One series' forecast points: its months laid out once, and the row each forecast goes to."""

    rules: IndicatorRules
    additive: bool
    method: str | None
    annual_target: Decimal | None
    inputs: MonthlyInputs
    starts: list[datetime.date]  # the months a forecast is made at, oldest first
    rows: list[Assessed]


def _forecast_job(
    spec: IndicatorSpec, points: list[SeriesPoint], targets: dict, out: dict, methods: dict
) -> _ForecastJob | None:
    rules = spec.rules
    additive = is_additive(rules.measure_type, rules.unit, rules.ytd_accumulates)
    if rules.frequency == "monthly":
        months = {p.start: float(p.value) for p in points if p.kind == MONTH}
        made_at = None  # each forecast is stored on its own month
    elif rules.frequency == "quarterly":
        months, made_at = quarters_as_months(points, spread=additive and rules.measure_type != MEASURE_YTD)
    else:
        return None
    if not months:
        return None
    april = _fy_start(max(months))
    fy = april.year
    method = methods.get(forecast_type(rules.measure_type, rules.unit, rules.ytd_accumulates))
    annual_target = targets.get((YEAR, april))
    next_april = datetime.date(fy + 1, 4, 1)
    # The forecast points: every month (or quarter's last month) of the latest financial year.
    starts = sorted(d for d in (months if made_at is None else made_at) if april <= d < next_april)
    rows = [out[(MONTH, start) if made_at is None else made_at[start]] for start in starts]
    return _ForecastJob(rules, additive, method, annual_target, MonthlyInputs(months, fy), starts, rows)


def _store_forecast(row: Assessed, result, annual_target, rag: str | None) -> None:
    row.forecast_value, row.forecast_low, row.forecast_high = result.value, result.low, result.high
    row.forecast_method = result.method
    row.forecast_inputs = {**_clean(result.inputs), "annual_target": _num(annual_target)}
    row.forecast_rag = rag or ""


def _forecasts(
    spec: IndicatorSpec, points: list[SeriesPoint], targets: dict, out: dict, methods: dict
) -> None:
    """One series' forecasts by the reference functions (`assess_all` batches them: the same answers)."""
    job = _forecast_job(spec, points, targets, out, methods)
    if job is not None:
        _reference_forecasts([job])


def _reference_forecasts(jobs: list[_ForecastJob]) -> None:
    """The reference: `forecast_with` and `forecast_rag` at each forecast point, one at a time."""
    for job in jobs:
        rules = job.rules
        for start, row in zip(job.starts, job.rows, strict=True):
            so_far, last_year, history = job.inputs.of(upto=start)
            result = forecast_with(job.method, so_far, last_year, history, rules.measure_type, job.additive)
            if result is None or not math.isfinite(result.value):
                continue
            target = job.annual_target
            rag = forecast_rag(result.value, target, rules.polarity, rules.tolerance, rules.tolerance_kind)
            _store_forecast(row, result, target, rag)


def _batch_forecasts(jobs: list[_ForecastJob]) -> None:
    """Every series' forecasts at once (`forecast_batch`), stored exactly as `_forecasts` stores them.

    `forecast_many` returns what `forecast_with` does at each point, and `forecast_rags` what
    `forecast_rag` does of each value, bit for bit (both proved so by tests against the reference).
    """
    if sum(len(job.starts) for job in jobs) < BATCH_FORECASTS_FROM:
        _reference_forecasts(jobs)
        return
    series = []
    for job in jobs:
        year, last_year, history = job.inputs.of()
        ends = [_month_index(start) - job.inputs.first for start in job.starts]
        rules = job.rules
        series.append(
            ForecastSeries(year, last_year, history, ends, rules.measure_type, job.additive, job.method)
        )
    for job, results in zip(jobs, forecast_many(series), strict=True):
        rules = job.rules
        kept = [
            (row, r)
            for row, r in zip(job.rows, results, strict=True)
            if r is not None and math.isfinite(r.value)
        ]
        values = [r.value for _, r in kept]
        rags = forecast_rags(values, job.annual_target, rules.polarity, rules.tolerance, rules.tolerance_kind)
        for (row, result), rag in zip(kept, rags, strict=True):
            _store_forecast(row, result, job.annual_target, rag)


def quarters_as_months(
    points: list[SeriesPoint], spread: bool
) -> tuple[dict[datetime.date, float], dict[datetime.date, tuple[str, datetime.date]]]:
    """A quarterly series as months, and the quarter each forecast belongs to (keyed by its last month).

    ``spread``: an amount for the quarter alone is a third in each month; otherwise (a level, or a
    cumulative year-to-date figure that the quarter's last month carries) the value holds for all
    three months.
    """
    months: dict[datetime.date, float] = {}
    made_at: dict[datetime.date, tuple[str, datetime.date]] = {}
    for point in points:
        if point.kind != QUARTER:
            continue
        value = float(point.value)
        first = _month_index(point.start)
        for i in range(3):
            months[_date(first + i)] = value / 3 if spread else value
        made_at[_date(first + 2)] = (QUARTER, point.start)
    return months, made_at


def _num(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _clean(inputs: dict) -> dict:
    """JSON-safe inputs: finite floats rounded for storage (NaN is not valid JSON)."""
    out = {}
    for key, value in inputs.items():
        if type(value) is float:  # most inputs: the same as the general case below, sooner
            out[key] = round(value, 6) if math.isfinite(value) else None
        elif isinstance(value, bool) or value is None or isinstance(value, str | int):
            out[key] = value
        else:
            number = _num(value)
            out[key] = None if number is None else round(number, 6)
    return out


RESULT_COLUMNS = ["indicator_id", "kind", "start", "end", "value"]
TARGET_COLUMNS = ["indicator_id", "kind", "start", "value"]


def _as_rows(table, columns: list[str]) -> list[tuple]:
    """Rows as plain tuples in ``columns`` order, from a DataFrame or a sequence of tuples."""
    if isinstance(table, pd.DataFrame):
        return list(zip(*(table[c].tolist() for c in columns), strict=True))
    return table if isinstance(table, list) else list(table)


def assess_all(
    specs: Iterable[IndicatorSpec],
    results,
    targets,
    forecast_methods: dict[str, str] | None = None,
) -> list[Assessed]:
    """Assess every indicator's series.

    ``results``: indicator_id, kind, start, end, value (Decimal) — approved results only.
    ``targets``: indicator_id, kind, start, value (Decimal).
    Each is a DataFrame with those columns or a list of tuples in that order (what the recompute
    reads: no DataFrame is built unless RAG and direction are vectorised).
    Returns one `Assessed` per result.
    """
    methods = DEFAULT_FORECAST_METHODS if forecast_methods is None else forecast_methods
    specs = list(specs)
    result_rows = _as_rows(results, RESULT_COLUMNS)
    target_rows = _as_rows(targets, TARGET_COLUMNS)
    by_indicator: dict[int, list[SeriesPoint]] = {}
    for ident, kind, start, end, value in result_rows:
        points = by_indicator.get(ident)
        if points is None:
            by_indicator[ident] = points = []
        points.append(SeriesPoint(kind, start, end, value))
    target_maps: dict[int, dict] = {}
    for ident, kind, start, value in target_rows:
        tmap = target_maps.get(ident)
        if tmap is None:
            target_maps[ident] = tmap = {}
        tmap[(kind, start)] = value  # the last of any duplicate key, as a dict built from the rows
    # RAG and direction of travel for every series at once; the few indicators the vectorised
    # rules do not cover exactly (cross-kind comparators, say) go through `assess_series`.
    # Below VECTORISE_FROM results (one indicator's recompute after an edit) pandas' fixed cost
    # is more than the per-point loop saves, so every indicator takes the reference path.
    vectorised: dict[int, dict] = {}
    if len(result_rows) >= VECTORISE_FROM:
        frame, fallback = assess_frames(
            {spec.id: spec.rules for spec in specs},
            results
            if isinstance(results, pd.DataFrame)
            else pd.DataFrame.from_records(result_rows, columns=RESULT_COLUMNS),
            targets
            if isinstance(targets, pd.DataFrame)
            else pd.DataFrame.from_records(target_rows, columns=TARGET_COLUMNS),
        )
        for ident, kind, start, value, target, rag, direction, c_kind, c_start, c_value, latest in zip(
            *(frame[column].tolist() for column in VECTORISED_COLUMNS), strict=True
        ):
            out = vectorised.get(ident)
            if out is None:
                vectorised[ident] = out = {}
            out[(kind, start)] = Assessed(
                ident,
                kind,
                start,
                value,
                target,
                rag,
                direction,
                (c_kind, c_start) if c_kind is not None else None,
                c_value,
                latest,
            )
    else:
        fallback = {spec.id for spec in specs}
    assessed: list[Assessed] = []
    charts = []  # charted together once every indicator's rows exist (`_variations`)
    forecast_jobs: list[_ForecastJob] = []
    for spec in specs:
        points = by_indicator.get(spec.id)
        if not points:
            continue
        tmap = target_maps.get(spec.id, {})
        out = vectorised.get(spec.id, {}) if spec.id not in fallback else _assess_one(spec, points, tmap)
        charts.append((spec, points, tmap, out))
        job = _forecast_job(spec, points, tmap, out, methods)
        if job is not None:
            forecast_jobs.append(job)
        assessed.extend(out.values())
    _variations(charts)
    # Forecasts for every series at once, into the rows above (equal to `_forecasts` per series).
    _batch_forecasts(forecast_jobs)
    return assessed


def _assess_one(spec: IndicatorSpec, points: list[SeriesPoint], tmap: dict) -> dict:
    """The reference path for one indicator: `assess_series`, keyed by period."""
    out = {}
    for p in assess_series(points, tmap, spec.rules):
        out[p.key] = Assessed(
            indicator_id=spec.id,
            kind=p.key[0],
            start=p.key[1],
            value=p.value,
            target=p.target,
            rag=p.rag,
            direction=p.direction,
            comparator=p.comparator,
            comparator_value=p.comparator_value,
            is_latest=p.is_latest,
        )
    return out


__all__ = [
    "DEFAULT_FORECAST_METHODS",
    "Assessed",
    "IndicatorSpec",
    "assess_all",
    "forecast_type",
    "forecast_with",
    "is_additive",
    "monthly_inputs",
    "variation_basis",
    "target_for",
    "xmr_targets",
]
