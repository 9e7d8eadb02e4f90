"""`forecast_batch` gives exactly the scalar reference's answers: every field, bit for bit.

(tests/indicators/assessments/test_vectorised_demo.py compares the demo council point for point.)

`forecast_many` against `forecast_with` (through `ForecastSeries.reference`) on random series:
gaps, cumulative year-to-date values, additive and level measures, quarters spread over months,
short histories, zero totals, huge and tiny values, NaN and infinities, every method forced or
none. `forecast_rags` against `forecast_rag`, with values on and next to every boundary. And the
two building blocks the batch relies on: the builtin ``sum`` repeated column by column, and
``np.std`` over rows of a 2-D block equal to ``np.std`` of each row alone.
"""

import datetime
import math
import warnings
from decimal import Decimal
from itertools import accumulate
from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from indicators.analytics import bulk, forecast
from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, assess_all
from indicators.analytics.forecast import _std, forecast_rag
from indicators.analytics.forecast_batch import (
    ForecastSeries,
    _builtin_sum,
    _std_rows,
    forecast_many,
    forecast_rags,
    identical,
)
from indicators.analytics.series import IndicatorRules
from indicators.periods import period_bounds

METHODS = [
    None,
    c.FORECAST_RUN_RATE,
    c.FORECAST_SEASONAL_PROFILE,
    c.FORECAST_LINEAR_TREND,
    c.FORECAST_HOLT_WINTERS,
    c.FORECAST_YEAR_COMPLETE,
    "not_a_method",
]


same = identical  # equal to the last bit (see `forecast_batch.identical`)


def test_same_is_strict():
    assert same(0.1 + 0.2, 0.30000000000000004) and not same(0.1 + 0.2, 0.3)
    assert not same(0.0, -0.0) and not same(3, 3.0) and same(math.nan, -math.nan)
    assert not same({"a": 1, "b": 2}, {"b": 2, "a": 1})  # the stored JSON keeps the order too


# --- the building blocks ---------------------------------------------------------------------------

magnitudes = st.sampled_from([1.0, 1e-3, 1e3, 1e12, 1e-300, 1e300, 1.5e308])
floats = st.one_of(
    st.integers(-400, 400).map(lambda n: n / 4),
    st.builds(lambda x, m: x * m, st.floats(-1, 1, allow_nan=False), magnitudes),
    st.just(0.0),
    st.just(-0.0),
)


@given(st.lists(st.lists(st.tuples(floats, st.booleans()), min_size=24, max_size=24), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_builtin_sum_is_the_builtin_sum_of_the_taken_values(rows):
    values = np.array([[v for v, _ in row] for row in rows])
    take = np.array([[t for _, t in row] for row in rows])
    with np.errstate(all="ignore"):  # 1e308 + 1e308: inf, as in Python
        got = _builtin_sum(values, take).tolist()
    for row, g in zip(rows, got, strict=True):
        taken = [v for v, t in row if t]
        if taken:
            assert same(g, sum(taken))


@pytest.mark.parametrize("ddof", [1, 2])
def test_std_of_rows_is_std_of_each_row_for_every_length_a_forecast_has(ddof):
    rng = np.random.default_rng(12)
    for count in range(0, 25):
        for rows, spread in ((1, 1.0), (7, 1e3), (300, 1e-6), (2000, 1.0)):
            values = rng.normal(rng.normal() * 50, spread, size=(rows, 24))
            take = rng.random((rows, 24)) < count / 24
            take[:, :] = False
            for r in range(rows):
                take[r, rng.choice(24, size=count, replace=False)] = True
            sigma, has = _std_rows(values, take, ddof)
            for r in range(min(rows, 50)):
                expected = _std([float(v) for v in values[r][take[r]]], ddof=ddof)
                assert (expected is None) == (not has[r])
                if expected is not None:
                    assert same(float(sigma[r]), expected)


# --- forecasts -------------------------------------------------------------------------------------

coarse = st.integers(-80, 400).map(lambda n: n / 4)
levels = st.one_of(coarse, coarse, st.floats(-1e6, 1e6, allow_nan=False), st.just(0.0), floats)
odd = st.sampled_from([math.nan, math.inf, -math.inf])


@st.composite
def months(draw, count: int, cumulative: bool, spread: bool, gaps: float):
    """``count`` monthly values from April, None for a gap; cumulative ones add up from April."""
    values = [draw(levels) for _ in range(count)]
    if spread:  # a quarterly series as months: a third of the quarter's amount, or its level, in each
        values = [
            values[3 * (i // 3)] / 3 if draw(st.booleans()) else values[3 * (i // 3)] for i in range(count)
        ]
    if cumulative:
        values = [total for year in range(0, count, 12) for total in accumulate(values[year : year + 12])]
    out = [None if draw(st.floats(0, 1)) < gaps else v for v in values]
    if count and draw(st.floats(0, 1)) < 0.05:
        out[draw(st.integers(0, count - 1))] = draw(odd)
    return out


@st.composite
def forecast_series(draw):
    measure_type = draw(st.sampled_from([c.MEASURE_PERIOD, c.MEASURE_YTD, c.MEASURE_SNAPSHOT]))
    cumulative = measure_type == c.MEASURE_YTD
    additive = draw(st.booleans())
    spread = draw(st.floats(0, 1)) < 0.2
    gaps = draw(st.sampled_from([0.0, 0.0, 0.1, 0.4]))
    # History: none, part of a year, or a few years (rarely enough for Holt-Winters: slow).
    history_months = draw(st.one_of(st.integers(0, 30), st.sampled_from([0, 12, 24])))
    if draw(st.floats(0, 1)) < 0.15:
        history_months = draw(st.integers(24, 40))
    start_offset = draw(st.integers(0, 11))  # so that a cumulative history may start mid-year
    past = draw(months(history_months + start_offset, cumulative, spread, gaps))[start_offset:]
    if draw(st.floats(0, 1)) < 0.1:
        past[-12:] = [0.0] * min(12, len(past))  # last year all zero: no seasonal shape
    last_year = ([None] * 12 + past)[-12:]
    if draw(st.floats(0, 1)) < 0.2:  # last year as given need not be the history's tail
        last_year = draw(months(12, cumulative, spread, gaps))
    year = draw(months(12, cumulative, spread, gaps))
    ends = sorted(set(draw(st.lists(st.integers(0, 11), min_size=0, max_size=12))))
    method = draw(st.sampled_from(METHODS))
    return ForecastSeries(year, last_year, past, ends, measure_type, additive, method)


def _reference(series: ForecastSeries):
    """Every point's reference forecast, or the exception the reference raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # np.std overflowing on 1e300s, statsmodels' convergence
        try:
            return [series.reference(end) for end in series.ends], None
        except Exception as error:  # noqa: BLE001 - the batch must raise the same
            return None, type(error)


def _quick_holt_winters(year, history):
    """A stand-in for the Holt-Winters fit (statsmodels takes ~50 ms a fit) with the same data
    requirements: the batch hands such points to the reference, whatever the fit gives."""
    if not forecast._holt_winters_eligible(year, history):
        raise ValueError("not enough months")
    return forecast._result(
        year.ytd + len(history), 1.5, 3, c.FORECAST_HOLT_WINTERS, {"series_length": len(history)}
    )


@given(st.lists(forecast_series(), min_size=1, max_size=5))
@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_forecast_many_is_the_scalar_reference_at_every_point(many):
    with mock.patch.object(forecast, "_holt_winters", _quick_holt_winters):
        expected, errors = zip(*(_reference(s) for s in many), strict=True)
        if any(errors):
            error = next(e for e in errors if e)
            with pytest.raises(error), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                forecast_many(many)
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = forecast_many(many)
    for series, want, have in zip(many, expected, got, strict=True):
        for end, w, h in zip(series.ends, want, have, strict=True):
            assert same(h, w), (series, end, w, h)


def test_every_method_and_guard_is_exercised_by_a_fixed_mixture():
    """A hand-made mixture, so that each path of the batch is known to be compared at least once."""
    season = [10.0, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]
    line = [float(2 * t + 1) for t in range(-12, 12)]
    mixture = [
        ForecastSeries(season[:5] + [None] * 7, season, season, range(5), c.MEASURE_PERIOD, True, None),
        ForecastSeries(line[12:], line[:12], line[:12], range(12), c.MEASURE_PERIOD, False, None),
        ForecastSeries(season, season, [], [3, 11], c.MEASURE_PERIOD, True, c.FORECAST_RUN_RATE),
        ForecastSeries(
            season, [0.0] * 12, [0.0] * 12, [4], c.MEASURE_PERIOD, True, c.FORECAST_SEASONAL_PROFILE
        ),
        ForecastSeries(
            list(accumulate(season)),
            list(accumulate(season)),
            [],
            [2, 6],
            c.MEASURE_YTD,
            True,
            c.FORECAST_LINEAR_TREND,
        ),
        ForecastSeries([5.0, math.inf] + [None] * 10, season, [], [1], c.MEASURE_PERIOD, True, None),
        ForecastSeries(season * 1, season, season * 3, [5], c.MEASURE_PERIOD, True, c.FORECAST_HOLT_WINTERS),
        ForecastSeries([None] * 12, season, [], [0, 1], c.MEASURE_PERIOD, False, None),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = forecast_many(mixture)
        want = [[s.reference(e) for e in s.ends] for s in mixture]
    assert same(got, want)
    methods = {f.method for row in got for f in row if f is not None}
    assert methods == {
        c.FORECAST_SEASONAL_PROFILE,
        c.FORECAST_LINEAR_TREND,
        c.FORECAST_RUN_RATE,
        c.FORECAST_YEAR_COMPLETE,
        c.FORECAST_HOLT_WINTERS,
    }
    assert got[-1] == [None, None]


def test_a_seasonal_share_that_underflows_raises_as_the_reference_does():
    last = [1e-300] + [1e300] * 11
    series = ForecastSeries([1.0] + [None] * 11, last, last, [0], c.MEASURE_PERIOD, True, None)
    with pytest.raises(ZeroDivisionError):
        series.reference(0)
    with pytest.raises(ZeroDivisionError):
        forecast_many([series])


# --- forecast RAG ----------------------------------------------------------------------------------

targets = st.one_of(
    st.none(),
    st.integers(-400, 400).map(lambda n: Decimal(n) / 4),
    st.integers(-(10**10), 10**10).map(lambda n: Decimal(n).scaleb(-4)),
)
tolerances = st.one_of(
    st.integers(0, 40).map(Decimal),
    st.integers(0, 400).map(lambda n: Decimal(n) / 8),
    st.integers(0, 10**6).map(lambda n: Decimal(n).scaleb(-4)),
)


@given(
    targets,
    st.sampled_from(c.POLARITIES),
    tolerances,
    st.sampled_from([c.PERCENT, c.ABSOLUTE]),
    st.lists(st.one_of(floats, st.integers(-3, 3)), max_size=30),
    st.data(),
)
@settings(max_examples=400, deadline=None)
def test_forecast_rags_are_forecast_rag_of_each_value(target, polarity, tolerance, kind, offsets, data):
    # Values on each boundary, one float either side of it, and anything else.
    values = []
    if target is not None:
        band = tolerance * abs(target) / 100 if kind == c.PERCENT else tolerance
        for bound in (float(target - band), float(target), float(target + band)):
            values += [bound, math.nextafter(bound, math.inf), math.nextafter(bound, -math.inf)]
    values += [float(v) if isinstance(v, int) else v for v in offsets]
    values = data.draw(st.permutations(values))
    assume(all(math.isfinite(v) for v in values))
    assert forecast_rags(values, target, polarity, tolerance, kind) == [
        forecast_rag(v, target, polarity, tolerance, kind) for v in values
    ]


def test_forecast_rags_validate_as_the_reference():
    with pytest.raises(ValueError):
        forecast_rags([1.0], Decimal(1), "sideways")
    with pytest.raises(ValueError):
        forecast_rags([1.0], Decimal(1), c.UP_IS_GOOD, Decimal(-1))
    assert forecast_rags([], Decimal(1), "sideways") == []  # no forecast, nothing judged (as the reference)


# --- through assess_all ------------------------------------------------------------------------------
# `assess_all`'s batched forecasts store exactly what the per-series reference (`bulk._forecasts`)
# stores: random councils of monthly, quarterly and annual indicators of every measure type and unit,
# with gaps, short or long histories, zero years, annual targets or none.

OWN = {"monthly": c.MONTH, "quarterly": c.QUARTER, "annual": c.YEAR}
STEP = {"monthly": 1, "quarterly": 3, "annual": 12}
FIRST_FY = 2016


def _month(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


values = st.one_of(
    st.integers(0, 400).map(Decimal),
    st.integers(-400, 4000).map(lambda n: Decimal(n) / 4),
    st.integers(-(10**9), 10**9).map(lambda n: Decimal(n).scaleb(-4)),
    st.just(Decimal(0)),
)


@st.composite
def indicator(draw):
    rules = IndicatorRules(
        polarity=draw(st.sampled_from(c.POLARITIES)),
        frequency=draw(st.sampled_from(["monthly", "monthly", "quarterly", "annual"])),
        measure_type=draw(st.sampled_from([c.MEASURE_PERIOD, c.MEASURE_YTD, c.MEASURE_SNAPSHOT])),
        unit=draw(
            st.sampled_from(["count", "percentage", "ratio", "currency", "currency_thousands", "days"])
        ),
        tolerance=draw(st.sampled_from([Decimal(5), Decimal(0), Decimal("2.5"), Decimal(10)])),
        tolerance_kind=draw(st.sampled_from([c.PERCENT, c.ABSOLUTE])),
        ytd_accumulates=draw(st.sampled_from([None, True, False])),
    )
    step = STEP[rules.frequency]
    first = FIRST_FY * 12 + 3 + step * draw(st.integers(0, 12 // step))  # some histories start mid-year
    periods = draw(st.integers(1, 40 // step + 2))
    gaps = draw(st.sampled_from([0.0, 0.0, 0.15]))
    zero_year = draw(st.floats(0, 1)) < 0.1
    results, total = [], Decimal(0)
    for n in range(periods):
        start = _month(first + step * n)
        if draw(st.floats(0, 1)) < gaps:
            continue
        value = (
            Decimal(0)
            if zero_year and start.year * 12 + start.month < (FIRST_FY + 2) * 12 + 4
            else draw(values)
        )
        if rules.measure_type == c.MEASURE_YTD:  # cumulative from April
            total = (Decimal(0) if start.month == 4 else total) + abs(value)
            value = total
        results.append((OWN[rules.frequency], start, value))
    targets = [
        (c.YEAR, datetime.date(fy, 4, 1), draw(values))
        for fy in range(FIRST_FY, FIRST_FY + 6)
        if draw(st.floats(0, 1)) < 0.7
    ]
    return rules, results, targets


def _forecast_fields(specs, results, targets, batch: bool, methods=None):
    with mock.patch.object(bulk, "BATCH_FORECASTS_FROM", 0 if batch else 10**9):
        assessed = assess_all(specs, results, targets, forecast_methods=methods)
    return {
        (a.indicator_id, a.kind, a.start): tuple(getattr(a, f) for f in bulk.FORECAST_FIELDS)
        for a in assessed
    }


@given(
    st.lists(indicator(), min_size=1, max_size=6),
    st.sampled_from(
        [None, {}, {bulk.TYPE_LEVEL: c.FORECAST_RUN_RATE, bulk.TYPE_ADDITIVE_YTD: c.FORECAST_LINEAR_TREND}]
    ),
)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
def test_batched_forecasts_are_the_reference_at_every_point(council, methods):
    specs = [IndicatorSpec(i, rules) for i, (rules, _, _) in enumerate(council, start=1)]
    results = [
        (i, kind, start, period_bounds(kind, start)[1], value)
        for i, (_, points, _) in enumerate(council, start=1)
        for kind, start, value in points
    ]
    targets = [
        (i, kind, start, value)
        for i, (_, _, tgts) in enumerate(council, start=1)
        for kind, start, value in tgts
    ]
    with mock.patch.object(forecast, "_holt_winters", _quick_holt_winters):
        reference = _forecast_fields(specs, results, targets, batch=False, methods=methods)
        batched = _forecast_fields(specs, results, targets, batch=True, methods=methods)
    assert reference.keys() == batched.keys()
    for method in {fields[3] for fields in reference.values()} - {""}:
        event(method)
    for key, want in reference.items():
        assert all(same(w, b) for w, b in zip(want, batched[key], strict=True)), (key, want, batched[key])
