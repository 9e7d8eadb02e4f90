"""`assess_all`'s batched forecasts store exactly what the per-series reference (`_forecasts`) stores.

Random councils of monthly, quarterly and annual indicators of every measure type and unit
(additive amounts, cumulative year-to-date figures, levels), with gaps, short or long histories,
zero years, annual targets or none: every forecast field of every point is compared bit for bit
between `assess_all` with the batch (`forecast_batch`) and with `forecast_with` / `forecast_rag`
point by point.
"""

import datetime
import math
import struct
from decimal import Decimal
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from indicators.analytics import bulk, forecast
from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, assess_all
from indicators.analytics.series import IndicatorRules
from indicators.periods import period_bounds

FIELDS = (
    "forecast_value",
    "forecast_low",
    "forecast_high",
    "forecast_method",
    "forecast_inputs",
    "forecast_rag",
)
OWN = {"monthly": c.MONTH, "quarterly": c.QUARTER, "annual": c.YEAR}
STEP = {"monthly": 1, "quarterly": 3, "annual": 12}
FIRST_FY = 2016


def same(a, b) -> bool:
    """Equal to the last bit: the same types, floats with the same bits, dicts in the same order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or struct.pack("<d", a) == struct.pack("<d", b)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


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


def _quick_holt_winters(year, history):
    """A stand-in for the Holt-Winters fit with the same data requirements (statsmodels: ~50 ms a fit)."""
    if not forecast._holt_winters_eligible(year, history):
        raise ValueError("not enough months")
    return forecast._result(
        year.ytd + len(history), 2.0, 3, c.FORECAST_HOLT_WINTERS, {"series_length": len(history)}
    )


def _forecast_fields(specs, results, targets, batch: bool, methods=None):
    with mock.patch.object(bulk, "BATCH_FORECASTS_FROM", 0 if batch else 10**9):
        assessed = assess_all(specs, results, targets, forecast_methods=methods)
    return {(a.indicator_id, a.kind, a.start): tuple(getattr(a, f) for f in FIELDS) for a in assessed}


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
