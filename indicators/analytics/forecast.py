"""Year-end outturn forecasts for an indicator (DOMAIN.md "Forecast").

Inputs are monthly values for the financial year so far (April first), last
year's 12 monthly values, and the full monthly history before this year
(oldest first, ending with the March just before this April). For a ``ytd``
measure every value is cumulative from April; additive ytd values are turned
back into monthly increments where a method needs months.

Methods:

* ``run_rate``: the year-to-date pace carried to 12 months. Additive ``period``
  measures: mean of the months we have x 12. Additive ``ytd``: latest cumulative
  x 12 / months covered. Non-additive measures (rates, snapshots): the latest
  value carried forward.
* ``seasonal_profile`` (additive): the months we have made up a share of last
  year's total; assume the same share this year: outturn = ytd / share.
* ``holt_winters``: additive trend + additive seasonality (period 12) fitted to
  the whole monthly series when there are at least 36 months. Additive measures:
  the year-to-date plus the forecast of the remaining months. Non-additive: the
  forecast for March.
* ``linear_trend``: a least-squares line through the last year of history and
  this year's months (for non-additive ``ytd`` measures, this year's only: their
  cumulative average restarts each April). Additive: ytd + the line over the
  remaining months; non-additive: the line's value for March.

Default choice: Holt-Winters when the series is long enough and has no gaps;
else the seasonal profile for additive measures whose last year is complete;
else run rate for additive measures; else linear trend (or, with a single point,
run rate = the latest value).

The range (``low``/``high``) is deliberately simple and says what it is:
``value +/- 1.96 x sigma x sqrt(k)``, where sigma is the standard deviation of
the method's monthly residuals (months around the mean pace, around last year's
profile, the fit's residuals) and k is the number of months still to come (or
the steps to March for a level forecast) -- the spread of a sum of k independent
monthly errors. It ignores the uncertainty in the method's own parameters, so it
is a lower bound on the real uncertainty. It is None when there is too little
data to estimate sigma.
"""

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .constants import (
    FORECAST_HOLT_WINTERS,
    FORECAST_LINEAR_TREND,
    FORECAST_METHODS,
    FORECAST_RUN_RATE,
    FORECAST_SEASONAL_PROFILE,
    FORECAST_YEAR_COMPLETE,
    MEASURE_YTD,
    PERCENT,
)
from .rag import rag_status

Value = int | float | Decimal
MONTHS = 12
HOLT_WINTERS_MIN_POINTS = 36  # three full seasons: enough to estimate trend and seasonality
Z_95 = 1.96


@dataclass
class Forecast:
    """A year-end forecast: value, a rough 95 % range, the method and what it used."""

    value: float
    low: float | None
    high: float | None
    method: str
    inputs: dict = field(default_factory=dict)


def _floats(values: Sequence[Value | None] | None) -> list[float | None]:
    return [None if v is None else float(v) for v in (values or [])]


def _increments(values: list[float | None], cumulative: bool) -> list[float | None]:
    """Monthly amounts; for a cumulative (ytd) series the difference from the month before."""
    if not cumulative:
        return list(values)
    out: list[float | None] = []
    for i, v in enumerate(values):
        prev = 0.0 if i == 0 else values[i - 1]
        out.append(None if v is None or prev is None else v - prev)
    return out


def _history_increments(history: list[float | None], cumulative: bool) -> list[float | None]:
    """Monthly amounts of a history ending in March; cumulative values restart each April."""
    if not cumulative:
        return list(history)
    out: list[float | None] = []
    offset = (-len(history)) % MONTHS  # month-of-year (0 = April) of history[0]
    for i, v in enumerate(history):
        april = (i + offset) % MONTHS == 0
        prev = 0.0 if april else (history[i - 1] if i > 0 else None)
        out.append(None if v is None or prev is None else v - prev)
    return out


def _std(residuals: Sequence[float], ddof: int = 1) -> float | None:
    if len(residuals) <= ddof:
        return None
    return float(np.std(np.asarray(residuals, dtype=float), ddof=ddof))


def _result(value: float, sigma: float | None, k: int, method: str, inputs: dict) -> Forecast:
    value = float(value)
    if sigma is None:
        low = high = None
    else:
        half = Z_95 * sigma * math.sqrt(max(k, 0))
        low, high = value - half, value + half
    inputs = {**inputs, "sigma": sigma, "months_ahead": k}
    return Forecast(value=value, low=low, high=high, method=method, inputs=inputs)


class _Year:
    """This year's months so far, in the forms the methods need."""

    def __init__(self, months: list[float | None], measure_type: str, additive: bool):
        if len(months) > MONTHS:
            raise ValueError("months_so_far has more than 12 months")
        self.months = months
        self.cumulative = measure_type == MEASURE_YTD
        self.additive = additive
        self.known = [i for i, v in enumerate(months) if v is not None]
        self.latest_index = self.known[-1] if self.known else None
        self.increments = _increments(months, self.cumulative)
        if self.cumulative:
            # A cumulative figure covers every month up to it, gaps or not.
            self.covered = list(range(self.latest_index + 1)) if self.known else []
            self.ytd = months[self.latest_index] if self.known else 0.0
        else:
            self.covered = self.known
            self.ytd = sum(months[i] for i in self.known)
        self.remaining = MONTHS - len(self.covered)

    @property
    def latest(self) -> float:
        return self.months[self.latest_index]

    @property
    def complete(self) -> bool:
        if self.additive:
            return self.remaining == 0
        return self.latest_index == MONTHS - 1


def _run_rate(year: _Year) -> Forecast:
    if not year.additive:
        # A rate or a snapshot has no pace to add up: carry the latest value forward.
        diffs = [
            b - a
            for a, b in zip(year.months, year.months[1:], strict=False)
            if a is not None and b is not None
        ]
        k = MONTHS - 1 - year.latest_index
        return _result(year.latest, _std(diffs), k, FORECAST_RUN_RATE, {"latest": year.latest})
    pace = year.ytd / len(year.covered)
    monthly = [v for v in year.increments if v is not None]
    inputs = {"ytd": year.ytd, "months_covered": len(year.covered), "monthly_pace": pace}
    return _result(
        pace * MONTHS, _std([m - pace for m in monthly]), year.remaining, FORECAST_RUN_RATE, inputs
    )


def _last_year_complete(last_year: list[float | None]) -> bool:
    return len(last_year) == MONTHS and all(v is not None for v in last_year)


def _seasonal_profile(year: _Year, last_year: list[float | None]) -> Forecast:
    if not year.additive:
        raise ValueError("seasonal_profile needs an additive measure")
    if not _last_year_complete(last_year):
        raise ValueError("seasonal_profile needs last year's 12 monthly values")
    ly_monthly = _increments(last_year, year.cumulative)
    ly_total = sum(ly_monthly)
    ly_covered = sum(ly_monthly[i] for i in year.covered)
    if ly_total == 0 or ly_covered == 0:
        raise ValueError("last year's profile has a zero total, so it gives no shape")
    share = ly_covered / ly_total
    # Residuals: each month against last year's month scaled to this year's level.
    scale = year.ytd / ly_covered
    residuals = [
        year.increments[i] - ly_monthly[i] * scale for i in year.covered if year.increments[i] is not None
    ]
    inputs = {"ytd": year.ytd, "share_of_year": share, "last_year_total": ly_total}
    return _result(year.ytd / share, _std(residuals), year.remaining, FORECAST_SEASONAL_PROFILE, inputs)


def _full_series(year: _Year, history: list[float | None]) -> list[float | None]:
    if year.additive:
        return _history_increments(history, year.cumulative) + year.increments
    return history + year.months


def _holt_winters_eligible(year: _Year, history: list[float | None]) -> bool:
    series = _full_series(year, history)
    return len(series) >= HOLT_WINTERS_MIN_POINTS and all(v is not None for v in series)


def _holt_winters(year: _Year, history: list[float | None]) -> Forecast:
    if not _holt_winters_eligible(year, history):
        raise ValueError(f"holt_winters needs at least {HOLT_WINTERS_MIN_POINTS} months without gaps")
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # slow import: only when used

    series = np.asarray(_full_series(year, history), dtype=float)
    n_done = len(year.months)
    horizon = MONTHS - n_done  # months still to come; for a level forecast, steps to March
    with warnings.catch_warnings():
        # ConvergenceWarning and friends would otherwise leak into worker logs and test output.
        warnings.simplefilter("ignore")
        fit = ExponentialSmoothing(series, trend="add", seasonal="add", seasonal_periods=MONTHS).fit()
        predicted = fit.forecast(horizon) if horizon else np.array([])
    sigma = _std(list(fit.resid))
    params = {k: float(fit.params[k]) for k in ("smoothing_level", "smoothing_trend", "smoothing_seasonal")}
    inputs = {"series_length": len(series), **params}
    if year.additive:
        inputs["ytd"] = year.ytd
        return _result(year.ytd + float(predicted.sum()), sigma, horizon, FORECAST_HOLT_WINTERS, inputs)
    return _result(float(predicted[-1]), sigma, horizon, FORECAST_HOLT_WINTERS, inputs)


def _least_squares_line(t: list[float], y: list[float]) -> tuple[float, float, list[float]]:
    """(slope, intercept, residuals) of the least-squares line through (t, y): the centred closed form.

    slope = sum((t - mean t)(y - mean y)) / sum((t - mean t)^2), intercept = mean y - slope x mean t,
    in plain Python floats with the builtin ``sum``, in this order, so that the batch path
    (`forecast_batch`) can repeat the same IEEE operations on whole arrays and give the same bits.
    (``np.polyfit`` solves the same problem by SVD: the same line to within rounding, but no
    array-at-once computation can reproduce its bits.) Needs at least two distinct t.
    """
    n = len(t)
    t_mean = sum(t) / n
    y_mean = sum(y) / n
    sxx = sum((ti - t_mean) * (ti - t_mean) for ti in t)
    sxy = sum((ti - t_mean) * (yi - y_mean) for ti, yi in zip(t, y, strict=True))
    slope = sxy / sxx
    intercept = y_mean - slope * t_mean
    return slope, intercept, [yi - (slope * ti + intercept) for ti, yi in zip(t, y, strict=True)]


def _linear_trend(year: _Year, history: list[float | None]) -> Forecast:
    # Time 0 = this April; the last year of history is at -12 .. -1.
    if year.additive:
        recent = _history_increments(history, year.cumulative)[-MONTHS:]
        this_year = year.increments
    else:
        recent = [] if year.cumulative else history[-MONTHS:]
        this_year = year.months
    points = [(i - len(recent), v) for i, v in enumerate(recent) if v is not None]
    points += [(i, v) for i, v in enumerate(this_year) if v is not None]
    if len(points) < 2:
        raise ValueError("linear_trend needs at least 2 values")
    slope, intercept, residuals = _least_squares_line([float(t) for t, _ in points], [y for _, y in points])
    sigma = _std(residuals, ddof=2) if len(points) > 2 else None
    inputs = {"slope": float(slope), "intercept": float(intercept), "points": len(points)}
    if year.additive:
        ahead = [i for i in range(MONTHS) if i not in year.covered]
        value = year.ytd + sum(slope * i + intercept for i in ahead)
        return _result(value, sigma, len(ahead), FORECAST_LINEAR_TREND, {**inputs, "ytd": year.ytd})
    k = MONTHS - 1 - year.latest_index
    return _result(slope * (MONTHS - 1) + intercept, sigma, k, FORECAST_LINEAR_TREND, inputs)


def forecast_year_end(
    months_so_far: Sequence[Value | None],
    measure_type: str,
    additive: bool,
    last_year: Sequence[Value | None] | None = None,
    history: Sequence[Value | None] | None = None,
    method: str | None = None,
) -> Forecast | None:
    """Forecast the year-end outturn; None when there is nothing to forecast from.

    ``months_so_far``: this financial year's monthly values, April first (None
    for a missing month). ``last_year``: last year's 12 monthly values.
    ``history``: every earlier monthly value, oldest first, ending with last
    March (it includes last year). ``method`` forces a method (ValueError if
    its data requirements are not met); None picks the best available.
    When all twelve months are in, the result is the actual outturn
    (method ``year_complete``), not a forecast.
    """
    if method is not None and method not in FORECAST_METHODS:
        raise ValueError(f"unknown forecast method {method!r}")
    year = _Year(_floats(months_so_far), measure_type, additive)
    last = _floats(last_year)
    past = _floats(history)
    if not year.known:
        return None
    if year.complete:
        value = year.ytd if additive else year.latest
        return Forecast(value, value, value, FORECAST_YEAR_COMPLETE, {"months": len(year.covered)})
    method = method or _default_method(year, last, past)
    if method == FORECAST_HOLT_WINTERS:
        return _holt_winters(year, past)
    if method == FORECAST_SEASONAL_PROFILE:
        return _seasonal_profile(year, last)
    if method == FORECAST_LINEAR_TREND:
        return _linear_trend(year, past)
    if method == FORECAST_RUN_RATE:
        return _run_rate(year)
    raise ValueError(f"{method!r} cannot be chosen: it is only reported for a complete year")


def forecast_with(method: str | None, so_far, last_year, history, measure_type: str, additive: bool):
    """`forecast_year_end` with ``method`` when its data requirements are met, else the automatic choice."""
    if method is not None:
        try:
            return forecast_year_end(so_far, measure_type, additive, last_year, history, method=method)
        except ValueError:
            pass
    return forecast_year_end(so_far, measure_type, additive, last_year, history)


def _default_method(year: _Year, last_year: list[float | None], history: list[float | None]) -> str:
    if _holt_winters_eligible(year, history):
        return FORECAST_HOLT_WINTERS
    if year.additive:
        if _last_year_complete(last_year) and sum(_increments(last_year, year.cumulative)) != 0:
            ly_monthly = _increments(last_year, year.cumulative)
            if sum(ly_monthly[i] for i in year.covered) != 0:
                return FORECAST_SEASONAL_PROFILE
        return FORECAST_RUN_RATE
    points = len(year.known) + (0 if year.cumulative else sum(v is not None for v in history[-MONTHS:]))
    return FORECAST_LINEAR_TREND if points >= 2 else FORECAST_RUN_RATE


def forecast_rag(
    forecast_value: Value | None,
    annual_target: Value | None,
    polarity: str,
    tolerance: Value = 5,
    tolerance_kind: str = PERCENT,
) -> str | None:
    """RAG of a forecast against the annual target: the same rule as for actuals (``rag_status``)."""
    return rag_status(forecast_value, annual_target, polarity, tolerance, tolerance_kind)
