"""Year-end forecasts for every series at once, equal bit for bit to the scalar reference.

Pure (numpy, no Django). `forecast.forecast_with` (and so `forecast_year_end`) is the reference:
`forecast_many` must return, for every series and forecast point, exactly the `Forecast` it
returns -- the same method, the same floats to the last bit (value, low, high and every input), the
same ints, the same None -- and `forecast_rags` exactly what `forecast_rag` says of each value.
tests/indicators/analytics/test_forecast_batch.py checks both with Hypothesis, and
tests/indicators/assessments/test_forecast_batch_demo.py on the demo council point for point.

How the floats come out the same: each step of the scalar methods is one IEEE operation on Python
floats (+, -, x, /, sqrt), and numpy does the same operation on each element of an array with the
same rounding. Three things are not elementwise and are repeated with care:

* the builtin ``sum`` (the year-to-date total, last year's total and share, the line's sums) uses
  Neumaier's compensated summation since Python 3.12: `_builtin_sum` repeats its exact steps
  column by column, left to right, skipping the months a row does not have;
* ``np.std`` (every range's sigma) is a pairwise reduction whose rounding depends on the number of
  values: `_std_rows` packs each row's values to the left and reduces the rows with the same count
  together, and numpy's reduction along the last, contiguous axis of such a block rounds each row
  as it rounds a 1-D array of that length (tested for every length the forecasts can have);
* ``np.polyfit`` cannot be reproduced by any array computation (SVD by LAPACK), so the reference
  fits the line with the centred closed form (`forecast._least_squares_line`), repeated here.

What the batch does not reproduce goes through `forecast_with` itself, point by point: Holt-Winters
(statsmodels fits one series at a time), any series with a NaN or an infinity this year or last
(guarded: the reference's behaviour with them, whatever it is, is kept), and the one division the
reference could make by zero (a seasonal share of the year that underflows to 0, where the
reference raises ZeroDivisionError and still does).
"""

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._numbers import to_decimal
from .constants import (
    FORECAST_HOLT_WINTERS,
    FORECAST_LINEAR_TREND,
    FORECAST_RUN_RATE,
    FORECAST_SEASONAL_PROFILE,
    FORECAST_YEAR_COMPLETE,
    MEASURE_YTD,
    NEUTRAL,
)
from .forecast import (
    HOLT_WINTERS_MIN_POINTS,
    MONTHS,
    Z_95,
    Forecast,
    _history_increments,
    forecast_rag,
    forecast_with,
)
from .rag import amber_tolerance

# Method codes of a forecast point; AUTO (as a wanted method) means the automatic choice.
AUTO, NOTHING, COMPLETE, RUN_RATE, SEASONAL, TREND, SCALAR = range(7)
WANTED = {
    FORECAST_RUN_RATE: RUN_RATE,
    FORECAST_SEASONAL_PROFILE: SEASONAL,
    FORECAST_LINEAR_TREND: TREND,
    FORECAST_HOLT_WINTERS: SCALAR,
}
COLUMNS = np.arange(MONTHS)
# Time of each point of the linear trend: last year's months at -12 .. -1, this year's at 0 .. 11.
TREND_TIMES = np.arange(-MONTHS, MONTHS, dtype=float)


@dataclass(frozen=True)
class ForecastSeries:
    """One series to forecast at several points of its latest financial year.

    ``year``: this year's 12 monthly values, April first (None where missing); ``last_year``: last
    year's 12; ``history``: every earlier month, oldest first, ending last March. ``ends``: the
    forecast points, as month offsets into the year (0 = April): the forecast at ``e`` is made from
    ``year[:e + 1]``, as `forecast_with(method, year[:e + 1], last_year, history, ...)` is.
    """

    year: Sequence[float | None]
    last_year: Sequence[float | None]
    history: Sequence[float | None]
    ends: Sequence[int]
    measure_type: str
    additive: bool
    method: str | None

    def reference(self, end: int) -> Forecast | None:
        """The scalar reference for one forecast point."""
        return forecast_with(
            self.method,
            list(self.year[: end + 1]),
            self.last_year,
            self.history,
            self.measure_type,
            self.additive,
        )


def forecast_many(series: Sequence[ForecastSeries]) -> list[list[Forecast | None]]:
    """For each series, the forecast at each of its ``ends``: exactly what `ForecastSeries.reference` returns."""
    out: list[list[Forecast | None]] = [[None] * len(s.ends) for s in series]
    rows = _Rows(list(series))
    if rows.count:
        with np.errstate(all="ignore"):  # overflow and inf - inf behave as in Python floats; no warnings
            code, fields = _compute(rows)
        for r, (si, k) in enumerate(rows.points):
            out[si][k] = _forecast(int(code[r]), r, fields)
        for r in np.flatnonzero(code == SCALAR).tolist():
            si, k = rows.points[r]
            out[si][k] = series[si].reference(series[si].ends[k])
    for si, k in rows.scalar:
        out[si][k] = series[si].reference(series[si].ends[k])
    return out


class _Rows:
    """Every forecast point as one row of 12-month arrays: this year so far, last year, recent history."""

    def __init__(self, series: list[ForecastSeries]):
        self.points: list[tuple[int, int]] = []  # (series index, point index) of each row
        self.scalar: list[tuple[int, int]] = []  # points left to the reference
        laid_out, facts, taken = [], [], []
        for si, s in enumerate(series):
            if not s.ends:
                continue
            if (
                len(s.year) != MONTHS
                or len(s.last_year) != MONTHS
                or any(not 0 <= e < MONTHS for e in s.ends)
            ):
                self.scalar += [(si, k) for k in range(len(s.ends))]
                continue
            cumulative = s.measure_type == MEASURE_YTD
            history = [None if v is None else float(v) for v in s.history]
            # `forecast._full_series` without this year's part, and `_linear_trend`'s recent months.
            past = _history_increments(history, cumulative) if s.additive else history
            recent = (past if s.additive or not cumulative else [])[-MONTHS:]
            laid_out += [s.year, s.last_year, [None] * (MONTHS - len(recent)) + recent]
            gapless = None not in past
            facts.append((cumulative, s.additive, WANTED.get(s.method, AUTO), gapless, len(history)))
            taken.append(si)
        if not taken:
            self.count = 0
            return
        # None becomes NaN, which stands for "missing" in the arrays. A series with a NaN or an
        # infinity of its own is guarded: it keeps the reference's behaviour exactly by going
        # through it.
        values = np.array(laid_out, dtype=float).reshape(len(taken), 3, MONTHS)
        nones = np.array([len(row) - sum(v is not None for v in row) for row in laid_out]).reshape(-1, 3)
        odd = ((np.isnan(values).sum(axis=2) != nones) | np.isinf(values).any(axis=2)).any(axis=1)
        keep = ~odd
        for si in np.array(taken)[odd].tolist():
            self.scalar += [(si, k) for k in range(len(series[si].ends))]
        kept = np.array(taken)[keep].tolist()
        repeats = [len(series[si].ends) for si in kept]
        self.points = [(si, k) for si, n in zip(kept, repeats, strict=True) for k in range(n)]
        self.count = len(self.points)
        if not self.count:
            return
        values = np.repeat(values[keep], repeats, axis=0)
        cumulative, additive, wanted, gapless, length = (
            np.repeat(np.array(column)[keep], repeats) for column in zip(*facts, strict=True)
        )
        self.end = np.array([series[si].ends[k] for si, k in self.points])
        # Months after the forecast point are not known to it.
        self.year_known = ~np.isnan(values[:, 0]) & (COLUMNS <= self.end[:, None])
        self.year = np.where(self.year_known, values[:, 0], np.nan)
        self.last, self.last_known = values[:, 1], ~np.isnan(values[:, 1])
        self.recent, self.recent_known = values[:, 2], ~np.isnan(values[:, 2])
        self.cumulative, self.additive, self.wanted = cumulative, additive, wanted
        self.history_gapless, self.history_length = gapless, length


def _compute(rows: _Rows) -> tuple[np.ndarray, dict]:
    """The method of every row (as `forecast_with` chooses it) and every method's figures."""
    n = rows.count
    cum, add = rows.cumulative[:, None], rows.additive
    year, known = rows.year, rows.year_known
    # `_Year`: what is known, the increments, the months covered, the year to date.
    any_known = known.any(axis=1)
    latest = np.where(any_known, MONTHS - 1 - np.argmax(known[:, ::-1], axis=1), -1)
    latest_value = year[np.arange(n), np.maximum(latest, 0)]
    increments, increment_known = _increments(year, known, cum)
    covered = np.where(cum, COLUMNS <= latest[:, None], known)
    months_covered = covered.sum(axis=1)
    ytd = np.where(rows.cumulative, latest_value, _builtin_sum(year, known))
    remaining = MONTHS - months_covered
    complete = np.where(add, remaining == 0, latest == MONTHS - 1)
    # Last year's profile (`_seasonal_profile` and `_default_method`).
    last_monthly, _ = _increments(rows.last, rows.last_known, cum)
    last_complete = rows.last_known.all(axis=1)
    last_total = _builtin_sum(last_monthly, np.ones_like(rows.last_known))
    last_covered = _builtin_sum(last_monthly, covered)
    seasonal_ok = add & last_complete & (last_total != 0) & (last_covered != 0)
    # The trend's points: recent history then this year (increments for an additive measure).
    points = np.concatenate([rows.recent, np.where(add[:, None], increments, year)], axis=1)
    point_known = np.concatenate([rows.recent_known, np.where(add[:, None], increment_known, known)], axis=1)
    trend_ok = point_known.sum(axis=1) >= 2
    holt_winters_ok = (
        rows.history_gapless
        & (rows.history_length + rows.end + 1 >= HOLT_WINTERS_MIN_POINTS)
        & (known.sum(axis=1) == rows.end + 1)
    )
    wanted = rows.wanted
    forced = (
        ((wanted == SCALAR) & holt_winters_ok)
        | ((wanted == SEASONAL) & seasonal_ok)
        | ((wanted == TREND) & trend_ok)
        | (wanted == RUN_RATE)
    )
    automatic = np.where(
        holt_winters_ok,
        SCALAR,
        np.where(add, np.where(seasonal_ok, SEASONAL, RUN_RATE), np.where(trend_ok, TREND, RUN_RATE)),
    )
    code = np.where(forced, wanted, automatic)
    code = np.where(~any_known, NOTHING, np.where(complete, COMPLETE, code))
    share = last_covered / last_total
    code = np.where((code == SEASONAL) & (share == 0), SCALAR, code)  # the reference divides by it

    fields = {
        "ytd": ytd,
        "latest": latest_value,
        "months_covered": months_covered,
        "value": np.full(n, np.nan),
        "sigma": np.full(n, np.nan),
        "has_sigma": np.zeros(n, dtype=bool),
        "ahead": np.zeros(n, dtype=int),
    }
    run_rate = code == RUN_RATE
    level = run_rate & ~add
    if level.any():  # `_run_rate`, non-additive: the latest value carried forward
        diffs = year[level, 1:] - year[level, :-1]
        _put(fields, level, latest_value[level], *_std_rows(diffs, known[level, 1:] & known[level, :-1], 1))
        fields["ahead"][level] = MONTHS - 1 - latest[level]
    pace_rows = run_rate & add
    if pace_rows.any():  # `_run_rate`, additive: the pace of the months covered
        pace = ytd[pace_rows] / months_covered[pace_rows]
        residuals = increments[pace_rows] - pace[:, None]
        sigma = _std_rows(residuals, increment_known[pace_rows], 1)
        _put(fields, pace_rows, pace * MONTHS, *sigma)
        fields["pace"] = _spread(pace_rows, pace)
        fields["ahead"][pace_rows] = remaining[pace_rows]
    seasonal = code == SEASONAL
    if seasonal.any():  # `_seasonal_profile`
        scale = ytd[seasonal] / last_covered[seasonal]
        residuals = increments[seasonal] - last_monthly[seasonal] * scale[:, None]
        sigma = _std_rows(residuals, increment_known[seasonal], 1)
        _put(fields, seasonal, ytd[seasonal] / share[seasonal], *sigma)
        fields["share"], fields["last_total"] = share, last_total
        fields["ahead"][seasonal] = remaining[seasonal]
    trend = code == TREND
    if trend.any():  # `_linear_trend` with `_least_squares_line`
        slope, intercept, sigma = _lines(points[trend], point_known[trend])
        value = np.where(
            add[trend],
            ytd[trend] + _builtin_sum(slope[:, None] * COLUMNS + intercept[:, None], ~covered[trend]),
            slope * (MONTHS - 1) + intercept,
        )
        _put(fields, trend, value, *sigma)
        fields["slope"], fields["intercept"] = _spread(trend, slope), _spread(trend, intercept)
        fields["points"] = point_known.sum(axis=1)
        fields["ahead"][trend] = np.where(add[trend], remaining[trend], MONTHS - 1 - latest[trend])
    # `_result`: the range, value +/- 1.96 x sigma x sqrt(k).
    half = Z_95 * fields["sigma"] * np.sqrt(np.maximum(fields["ahead"], 0))
    fields["low"], fields["high"] = fields["value"] - half, fields["value"] + half
    fields["additive"] = add
    return code, {key: value.tolist() for key, value in fields.items()}


def _put(fields: dict, rows: np.ndarray, value, sigma, has_sigma) -> None:
    fields["value"][rows] = value
    fields["sigma"][rows] = sigma
    fields["has_sigma"][rows] = has_sigma


def _spread(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.full(len(rows), np.nan)
    out[rows] = values
    return out


def _forecast(code: int, r: int, f: dict) -> Forecast | None:
    """Row ``r`` as the `Forecast` the reference builds (same keys in the same order)."""
    if code == NOTHING or code == SCALAR:
        return None
    if code == COMPLETE:
        value = f["ytd"][r] if f["additive"][r] else f["latest"][r]
        return Forecast(value, value, value, FORECAST_YEAR_COMPLETE, {"months": f["months_covered"][r]})
    if code == RUN_RATE:
        if f["additive"][r]:
            method = FORECAST_RUN_RATE
            inputs = {
                "ytd": f["ytd"][r],
                "months_covered": f["months_covered"][r],
                "monthly_pace": f["pace"][r],
            }
        else:
            method, inputs = FORECAST_RUN_RATE, {"latest": f["latest"][r]}
    elif code == SEASONAL:
        method = FORECAST_SEASONAL_PROFILE
        inputs = {"ytd": f["ytd"][r], "share_of_year": f["share"][r], "last_year_total": f["last_total"][r]}
    else:
        method = FORECAST_LINEAR_TREND
        inputs = {"slope": f["slope"][r], "intercept": f["intercept"][r], "points": f["points"][r]}
        if f["additive"][r]:
            inputs["ytd"] = f["ytd"][r]
    if f["has_sigma"][r]:
        sigma, low, high = f["sigma"][r], f["low"][r], f["high"][r]
    else:
        sigma = low = high = None
    inputs["sigma"], inputs["months_ahead"] = sigma, f["ahead"][r]
    return Forecast(value=f["value"][r], low=low, high=high, method=method, inputs=inputs)


def _increments(values: np.ndarray, known: np.ndarray, cumulative) -> tuple[np.ndarray, np.ndarray]:
    """`forecast._increments` of each row: for a cumulative row the difference from the month before
    (April less 0.0), unknown where either month is."""
    previous = np.concatenate([np.zeros((len(values), 1)), values[:, :-1]], axis=1)
    previous_known = np.concatenate([np.ones((len(values), 1), dtype=bool), known[:, :-1]], axis=1)
    return np.where(cumulative, values - previous, values), np.where(
        cumulative, known & previous_known, known
    )


def _builtin_sum(values: np.ndarray, take: np.ndarray) -> np.ndarray:
    """Per row, what the builtin ``sum`` gives of the row's taken values, left to right.

    CPython 3.12+ starts from the int 0 (so the first float x becomes 0.0 + x) and adds each later
    x with Neumaier's compensation: t = s + x; c += (s - t) + x if |s| >= |x| else (x - t) + s;
    s = t; at the end s + c, if c is non-zero and finite. The same IEEE operations, column by
    column. A row with nothing taken gives 0.0 (``sum`` gives the int 0; no caller uses it).
    """
    total = np.zeros(len(values))
    compensation = np.zeros(len(values))
    started = np.zeros(len(values), dtype=bool)
    for j in range(values.shape[1]):
        x, taken = values[:, j], take[:, j]
        t = total + x
        error = np.where(np.abs(total) >= np.abs(x), (total - t) + x, (x - t) + total)
        compensation = np.where(taken & started, compensation + error, compensation)
        total = np.where(taken, t, total)
        started |= taken
    return np.where((compensation != 0) & np.isfinite(compensation), total + compensation, total)


def _std_rows(values: np.ndarray, take: np.ndarray, ddof: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, `forecast._std` of the row's taken values in order: (sigma, whether there is one)."""
    counts = take.sum(axis=1)
    sigma = np.full(len(values), np.nan)
    has = counts > ddof
    packed = np.take_along_axis(values, np.argsort(~take, axis=1, kind="stable"), axis=1)
    for count in np.unique(counts[has]).tolist():
        same = counts == count
        sigma[same] = np.std(np.ascontiguousarray(packed[same, :count]), axis=1, ddof=ddof)
    return sigma, has


def _lines(y: np.ndarray, take: np.ndarray):
    """`forecast._least_squares_line` of each row's taken points, and `_std` of its residuals (ddof 2)."""
    t = np.broadcast_to(TREND_TIMES, y.shape)
    count = take.sum(axis=1)
    t_mean = _builtin_sum(t, take) / count
    y_mean = _builtin_sum(y, take) / count
    dt = t - t_mean[:, None]
    sxx = _builtin_sum(dt * dt, take)
    sxy = _builtin_sum(dt * (y - y_mean[:, None]), take)
    slope = sxy / sxx
    intercept = y_mean - slope * t_mean
    residuals = y - (slope[:, None] * t + intercept[:, None])
    return slope, intercept, _std_rows(residuals, take, 2)


def forecast_rags(
    values: Sequence[float], annual_target, polarity: str, tolerance=5, tolerance_kind: str = "percent"
) -> list[str | None]:
    """[`forecast_rag`(v, annual_target, ...) for v in values], with the Decimal work done once.

    The RAG rule compares the Decimal of each value (``Decimal(repr(v))``) with at most three
    boundaries: the target and the target -/+ the amber tolerance. Between boundaries the answer is
    constant, and which side of a boundary B a finite float v lies on is the side v lies on of
    float(B) whenever v != float(B): rounding to the nearest float is monotone, Decimal(repr(v))
    rounds to v and B rounds to float(B), so v < float(B) implies Decimal(repr(v)) < B (and > for
    >). So the reference is asked once per side pattern, and for any value equal to a boundary's
    float; every other value takes its pattern's answer.
    """
    values = list(values)
    if not values:
        return []
    first = forecast_rag(
        values[0], annual_target, polarity, tolerance, tolerance_kind
    )  # validates as the reference
    if polarity == NEUTRAL or annual_target is None:
        return [first] * len(values)  # no target to compare: the same answer for every value
    target = to_decimal(annual_target, "target")
    band = amber_tolerance(target, tolerance, tolerance_kind)
    bounds = [float(b) for b in (target - band, target, target + band)]
    answers: dict[tuple[bool, ...], str | None] = {}
    out = []
    for v in values:
        if not math.isfinite(v) or v in bounds:
            out.append(forecast_rag(v, annual_target, polarity, tolerance, tolerance_kind))
            continue
        side = (v > bounds[0], v > bounds[1], v > bounds[2])
        answer = answers.get(side)
        if answer is None:
            answers[side] = answer = forecast_rag(v, annual_target, polarity, tolerance, tolerance_kind)
        out.append(answer)
    return out


def identical(a, b) -> bool:
    """The equality this module promises: the same types, floats with the same bits (any NaN equals
    any NaN), dicts with the same keys in the same order (the stored JSON keeps it), recursively
    through lists, tuples and dataclasses (a `Forecast`). ``==`` would take 0.0 for -0.0 and 3 for 3.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__"):
        return all(identical(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return a == b


__all__ = ["ForecastSeries", "forecast_many", "forecast_rags", "identical"]
