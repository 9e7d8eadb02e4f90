"""`xmr_many` (every series at once) gives exactly what `xmr` gives, point for point.

`variation.xmr` is the reference. Series are drawn to reach every rule: short and constant series,
values on few levels (ties, points on the mean, steps), long monotone stretches (trends and
sustained shifts, trends sharing a turning point), jumps near the limits (two of three),
fixed baselines, rebases and dismissed shift starts. Equality is exact (floats compared with ==,
None where `xmr` gives None).
"""

import datetime
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, _assess_one, _variation, _variations
from indicators.analytics.constants import NEUTRAL, UP_IS_BAD, UP_IS_GOOD
from indicators.analytics.series import IndicatorRules, SeriesPoint
from indicators.analytics.variation import MIN_BASELINE_FOR_FIRM_LIMITS, xmr
from indicators.analytics.variation_bulk import Series, xmr_many

FLOAT_FIELDS = (
    "mean",
    "upper_limit",
    "lower_limit",
    "upper_near",
    "lower_near",
    "moving_range",
    "average_moving_range",
)


def _pieces():
    level = st.sampled_from([0.0, 1.0, 10.0, 10.5, -3.25, 100.0, 1e-4, 12345.6789])
    flat = st.tuples(level, st.integers(1, 9)).map(lambda t: [t[0]] * t[1])
    ramp = st.tuples(level, st.sampled_from([0.5, -0.5, 1.0, -2.0, 0.1]), st.integers(2, 10)).map(
        lambda t: [t[0] + t[1] * i for i in range(t[2])]
    )
    noise = st.lists(
        st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=32), min_size=1, max_size=8
    )
    few = st.lists(st.sampled_from([8.0, 10.0, 12.0, 9.0, 11.0, 30.0, -10.0]), min_size=1, max_size=12)
    return st.one_of(flat, ramp, noise, few)


@st.composite
def series(draw):
    values = [v for piece in draw(st.lists(_pieces(), min_size=0, max_size=6)) for v in piece][:60]
    n = len(values)
    polarity = draw(st.sampled_from([UP_IS_GOOD, UP_IS_BAD, NEUTRAL]))
    baseline = draw(st.one_of(st.none(), st.integers(1, 20)))
    rebase = sorted(draw(st.sets(st.integers(0, n - 1), max_size=3))) if n else []
    dismissed = draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=3))
    return Series(values, polarity, baseline, rebase or None, dismissed)


def _none(x):
    return None if isinstance(x, float) and math.isnan(x) else x


def assert_same(one: Series, charts, k: int) -> None:
    expected = xmr(
        one.values,
        one.polarity,
        baseline_points=one.baseline_points,
        rebase_at=one.rebase_at,
        dismissed_shift_starts=one.dismissed_shift_starts,
    )
    part = slice(int(charts.offsets[k]), int(charts.offsets[k + 1]))
    for name in FLOAT_FIELDS:
        got = [_none(x) for x in getattr(charts, name)[part].tolist()]
        assert got == getattr(expected, name), name
    assert charts.values[part].tolist() == expected.values
    assert charts.special_cause[part].tolist() == expected.special_cause
    assert charts.rule[part].tolist() == expected.rule
    assert charts.side[part].tolist() == expected.side
    assert charts.variation[part].tolist() == expected.variation
    assert [None if s < 0 else s for s in charts.shift_start[part].tolist()] == expected.shift_start
    if expected.values:
        # `xmr` reports the trial flag of its latest segment.
        assert bool(charts.trial[part][-1]) == expected.trial_limits


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(series(), min_size=1, max_size=5))
def test_xmr_many_equals_xmr(generated):
    charts = xmr_many(generated)
    for k, one in enumerate(generated):
        assert_same(one, charts, k)


def test_runs_sharing_a_turning_point_and_sustained_shift():
    rise = [float(i) for i in range(7)]
    cases = [
        Series(rise + rise[::-1][1:], UP_IS_GOOD),  # a peak shared by a rising and a falling trend
        Series([10.0] * 12 + [11.0] * 8, UP_IS_BAD, baseline_points=12),  # a sustained shift
        Series([12.0, 8.0] * 6 + [17.5, 10.5, 17.5], UP_IS_GOOD, baseline_points=12),  # two of three
        Series([5.0] * 15, NEUTRAL),  # constant: limits on the mean
        Series([1.0], UP_IS_GOOD),
        Series([], UP_IS_GOOD),
        Series([10.0] * 6 + [20.0] * 10, UP_IS_GOOD, rebase_at=[6], dismissed_shift_starts=[8]),
    ]
    charts = xmr_many(cases)
    for k, one in enumerate(cases):
        assert_same(one, charts, k)


def test_trial_flag_is_per_segment():
    one = Series([1.0, 2.0] * 10, UP_IS_GOOD, rebase_at=[15])
    charts = xmr_many([one])
    assert charts.trial.tolist() == [False] * 15 + [True] * 5
    assert MIN_BASELINE_FOR_FIRM_LIMITS == 13


@pytest.mark.parametrize(
    "bad",
    [
        Series([1.0, 2.0], "sideways"),
        Series([1.0, 2.0], UP_IS_GOOD, baseline_points=0),
        Series([1.0, math.inf], UP_IS_GOOD),
        Series([1.0, 2.0], UP_IS_GOOD, rebase_at=[5]),
    ],
)
def test_bad_input_raises_as_the_reference_does(bad):
    with pytest.raises(ValueError):
        xmr(bad.values, bad.polarity, baseline_points=bad.baseline_points, rebase_at=bad.rebase_at)
    with pytest.raises(ValueError):
        xmr_many([bad])


# --- the bulk assessment: `_variations` (all indicators at once) sets what `_variation` sets ------

ROW_FIELDS = (
    "variation",
    "special_cause_rule",
    "assurance",
    "centre_line",
    "upper_limit",
    "lower_limit",
    "trial_limits",
    "shift_since",
)
STEP = {"monthly": 1, "quarterly": 3, "annual": 12}
KIND = {"monthly": c.MONTH, "quarterly": c.QUARTER, "annual": c.YEAR}


def _month(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


@st.composite
def indicator(draw, ident: int):
    frequency = draw(st.sampled_from(list(STEP)))
    rules = IndicatorRules(
        polarity=draw(st.sampled_from(c.POLARITIES)),
        frequency=frequency,
        measure_type=draw(st.sampled_from([c.MEASURE_PERIOD, c.MEASURE_YTD, c.MEASURE_SNAPSHOT])),
        unit=draw(st.sampled_from(["count", "percentage", "currency", "days"])),
        ytd_accumulates=draw(st.sampled_from([None, True, False])),
    )
    step, kind = STEP[frequency], KIND[frequency]
    first = 2015 * 12 + 3  # April 2015
    count = draw(st.integers(0, 60 // step + 2))
    level = draw(st.sampled_from([Decimal(10), Decimal("85.5"), Decimal(400)]))
    points, targets = [], {}
    for n in range(count):
        if draw(st.floats(0, 1)) < 0.1:
            continue  # a gap
        start = _month(first + n * step)
        end = _month(first + (n + 1) * step) - datetime.timedelta(days=1)
        value = level + Decimal(draw(st.integers(-40, 40))) / 4
        points.append(SeriesPoint(kind, start, end, value))
        if draw(st.floats(0, 1)) < 0.5:
            targets[(kind, start)] = level + Decimal(draw(st.integers(-20, 20))) / 2
    starts = [p.start for p in points]
    rebase = tuple(draw(st.lists(st.sampled_from(starts), max_size=2))) if starts else ()
    dismissed = tuple(draw(st.lists(st.sampled_from(starts), max_size=2))) if starts else ()
    baseline = draw(st.one_of(st.none(), st.integers(1, 15)))
    return IndicatorSpec(ident, rules, baseline, rebase, dismissed), points, targets


def _rows(spec, points, targets):
    """The rows as `assess_all` has them before the variation: RAG (and its target) by the reference."""
    return _assess_one(spec, points, targets)


def _fields(rows):
    return {key: tuple(getattr(row, f) for f in ROW_FIELDS) for key, row in rows.items()}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=6).flatmap(
        lambda ids: st.tuples(*(indicator(i) for i in range(len(ids))))
    )
)
def test_variations_at_once_equal_the_reference_per_indicator(indicators):
    expected, jobs = [], []
    for spec, points, targets in indicators:
        reference = _rows(spec, points, targets)
        _variation(spec, points, targets, reference)
        expected.append(_fields(reference))
        jobs.append((spec, points, targets, _rows(spec, points, targets)))
    _variations(jobs)
    assert [_fields(job[3]) for job in jobs] == expected
