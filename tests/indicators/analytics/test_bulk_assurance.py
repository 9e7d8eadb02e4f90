"""Assurance in `assess_all`: the target and the process limits in the same terms as the charted points.

Hand-worked series. The HR01-like one is a quarterly cumulative (year-to-date) count of
apprenticeships, charted as the amount each quarter adds:

    2014/15  Q1 12  Q2 25  Q3 38  Q4 53     amounts 12 13 13 15
    2015/16  Q1 12  Q2 26  Q3 41            amounts 12 14 15

Amounts 12, 13, 13, 15, 12, 14, 15: mean 94/7 = 13.428571; moving ranges 1, 0, 2, 3, 2, 1, mean 1.5
(none screened: all below 3.267 x 1.5); limits 13.428571 -/+ 2.66 x 1.5 = 9.438571 .. 17.418571.
The profiled cumulative targets for 2015/16 are 13, 27, 41 (54 for the year), so Q3 is 41 against 41
(green) and the amount Q3 is meant to add is 41 - 27 = 14: between the limits, hit and miss. The
cumulative 41 against those limits would have said "consistently fails".
"""

import datetime
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.analytics import bulk
from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, assess_all, xmr_targets
from indicators.analytics.series import IndicatorRules, SeriesPoint
from indicators.periods import period_bounds

D = datetime.date
HR01 = IndicatorRules(c.UP_IS_GOOD, frequency="quarterly", measure_type=c.MEASURE_YTD, unit="count")
HR01_RESULTS = {
    D(2014, 4, 1): 12,
    D(2014, 7, 1): 25,
    D(2014, 10, 1): 38,
    D(2015, 1, 1): 53,
    D(2015, 4, 1): 12,
    D(2015, 7, 1): 26,
    D(2015, 10, 1): 41,
}
HR01_TARGETS = {
    (c.QUARTER, D(2014, 4, 1)): 12,
    (c.QUARTER, D(2014, 7, 1)): 25,
    (c.QUARTER, D(2014, 10, 1)): 37,
    (c.QUARTER, D(2015, 1, 1)): 51,
    (c.YEAR, D(2014, 4, 1)): 51,
    (c.QUARTER, D(2015, 4, 1)): 13,
    (c.QUARTER, D(2015, 7, 1)): 27,
    (c.QUARTER, D(2015, 10, 1)): 41,
    (c.QUARTER, D(2016, 1, 1)): 54,
    (c.YEAR, D(2015, 4, 1)): 54,
}
Q1, Q2, Q3 = D(2015, 4, 1), D(2015, 7, 1), D(2015, 10, 1)


def assess(rules, results, targets, kind=None, baseline_points=None):
    """`assess_all` on one indicator: {(kind, start): Assessed}."""
    kind = kind or {"monthly": c.MONTH, "quarterly": c.QUARTER, "annual": c.YEAR}[rules.frequency]
    result_rows = [
        (1, kind, start, period_bounds(kind, start)[1], Decimal(v)) for start, v in results.items()
    ]
    target_rows = [(1, k, start, Decimal(v)) for (k, start), v in targets.items()]
    out = assess_all(
        [IndicatorSpec(1, rules, baseline_points)],
        pd.DataFrame.from_records(result_rows, columns=["indicator_id", "kind", "start", "end", "value"]),
        pd.DataFrame.from_records(target_rows, columns=["indicator_id", "kind", "start", "value"]),
    )
    return {(a.kind, a.start): a for a in out}


# --- cumulative (year-to-date) measures ------------------------------------------------------


def test_hr01_on_target_is_hit_and_miss_not_consistently_fails():
    q3 = assess(HR01, HR01_RESULTS, HR01_TARGETS)[(c.QUARTER, Q3)]
    assert (q3.value, q3.target, q3.rag) == (Decimal(41), Decimal(41), c.GREEN)
    assert q3.centre_line == pytest.approx(94 / 7)
    assert q3.lower_limit == pytest.approx(94 / 7 - 3.99)
    assert q3.upper_limit == pytest.approx(94 / 7 + 3.99)
    assert q3.assurance == c.HIT_AND_MISS  # 41 - 27 = 14 a quarter, within 9.44 .. 17.42


@pytest.mark.parametrize(
    "q3_target, expected",
    [
        (36, c.CONSISTENTLY_PASSES),  # 36 - 27 = 9 a quarter: below the lower limit 9.44
        (41, c.HIT_AND_MISS),  # 14
        (45, c.CONSISTENTLY_FAILS),  # 18: above the upper limit 17.42
    ],
)
def test_a_cumulative_target_is_judged_by_the_amount_it_adds_in_the_period(q3_target, expected):
    targets = {**HR01_TARGETS, (c.QUARTER, Q3): q3_target}
    assert assess(HR01, HR01_RESULTS, targets)[(c.QUARTER, Q3)].assurance == expected


@pytest.mark.parametrize("q1_target, expected", [(9, c.CONSISTENTLY_PASSES), (13, c.HIT_AND_MISS)])
def test_the_first_period_of_the_year_is_judged_by_its_own_target(q1_target, expected):
    targets = {**HR01_TARGETS, (c.QUARTER, Q1): q1_target}
    assert assess(HR01, HR01_RESULTS, targets)[(c.QUARTER, Q1)].assurance == expected


def test_a_cumulative_series_with_only_an_annual_target_gets_no_assurance():
    # 54 for the year cannot be split into quarterly amounts without guessing a profile.
    assessed = assess(HR01, HR01_RESULTS, {(c.YEAR, D(2015, 4, 1)): 54})
    assert {a.assurance for a in assessed.values()} == {""}
    assert assessed[(c.QUARTER, Q3)].variation == c.COMMON_CAUSE  # the chart itself is still drawn


def test_no_assurance_when_the_previous_periods_target_is_missing():
    targets = {k: v for k, v in HR01_TARGETS.items() if k != (c.QUARTER, Q2)}
    assessed = assess(HR01, HR01_RESULTS, targets)
    assert assessed[(c.QUARTER, Q3)].assurance == ""  # 41 less an unknown Q2 target
    assert assessed[(c.QUARTER, Q1)].assurance == c.HIT_AND_MISS  # 13: unaffected


def test_up_is_bad_cumulative_days_per_fte():
    # Sickness days per FTE, year to date, quarterly: amounts 2.5 2.0 2.5 3.0 | 2.5 2.0 2.5.
    results = {
        D(2014, 4, 1): "2.5",
        D(2014, 7, 1): "4.5",
        D(2014, 10, 1): "7.0",
        D(2015, 1, 1): "10.0",
        D(2015, 4, 1): "2.5",
        D(2015, 7, 1): "4.5",
        D(2015, 10, 1): "7.0",
    }
    # Mean 17/7 = 2.428571; moving ranges 0.5 0.5 0.5 0.5 0.5 0.5, mean 0.5; limits 2.428571 -/+ 1.33.
    rules = IndicatorRules(c.UP_IS_BAD, frequency="quarterly", measure_type=c.MEASURE_YTD, unit="days")
    targets = {(c.QUARTER, Q2): "5.0", (c.QUARTER, Q3): "9.0"}  # Q3 meant to add 4.0 >= 3.758571
    q3 = assess(rules, results, targets)[(c.QUARTER, Q3)]
    assert q3.upper_limit == pytest.approx(17 / 7 + 1.33)
    assert q3.rag == c.GREEN and q3.assurance == c.CONSISTENTLY_PASSES
    # The cumulative 9.0 would have said the same, but 6.0 (an amount of 1.0, below the lower
    # limit 1.098571) fails, where the cumulative 6.0 would have "passed".
    targets[(c.QUARTER, Q3)] = "6.0"
    assert assess(rules, results, targets)[(c.QUARTER, Q3)].assurance == c.CONSISTENTLY_FAILS


def test_an_annual_cumulative_series_is_judged_by_its_annual_targets():
    # STF15-like: one year-to-date figure a year; the charted value is the year's, as is the target.
    rules = IndicatorRules(c.UP_IS_BAD, frequency="annual", measure_type=c.MEASURE_YTD, unit="days")
    results = {D(2012, 4, 1): "4.0", D(2013, 4, 1): "4.2", D(2014, 4, 1): "6.4", D(2015, 4, 1): "6.5"}
    # Mean 21.1/4 = 5.275; moving ranges 0.2 2.2 0.1, mean 0.833333; upper limit 5.275 + 2.216667.
    latest = assess(rules, results, {(c.YEAR, D(2015, 4, 1)): "6.0"})[(c.YEAR, D(2015, 4, 1))]
    assert latest.upper_limit == pytest.approx(5.275 + 2.66 * 2.5 / 3)
    assert latest.assurance == c.HIT_AND_MISS


def test_xmr_targets_by_hand():
    points = [
        SeriesPoint(c.QUARTER, s, period_bounds(c.QUARTER, s)[1], Decimal(v)) for s, v in HR01_RESULTS.items()
    ]
    targets = {k: Decimal(v) for k, v in HR01_TARGETS.items()}
    assert xmr_targets(points, targets, HR01) == [12, 13, 12, 14, 13, 14, 14]


# --- values for the period alone ------------------------------------------------------------

MONTHS = [D(2013 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12)]  # April 2013 .. March 2014
ALTERNATING = dict(zip(MONTHS, [12, 8] * 6, strict=True))  # mean 10, mR-bar 4: limits -0.64 .. 20.64
COUNT = IndicatorRules(c.UP_IS_GOOD, frequency="monthly", unit="count")


def test_a_monthly_count_with_only_an_annual_target_gets_no_assurance():
    # 120 a year is about 10 a month, but 120 against monthly limits would say "consistently fails".
    assessed = assess(COUNT, ALTERNATING, {(c.YEAR, D(2013, 4, 1)): 120})
    latest = assessed[(c.MONTH, MONTHS[-1])]
    assert (latest.target, latest.rag, latest.assurance) == (None, c.NO_RAG, "")
    assert latest.upper_limit == pytest.approx(20.64)


@pytest.mark.parametrize("monthly_target, expected", [(15, c.HIT_AND_MISS), (25, c.CONSISTENTLY_FAILS)])
def test_a_monthly_count_is_judged_by_its_profiled_monthly_target(monthly_target, expected):
    targets = {(c.MONTH, m): monthly_target for m in MONTHS} | {(c.YEAR, D(2013, 4, 1)): 12 * monthly_target}
    assert assess(COUNT, ALTERNATING, targets)[(c.MONTH, MONTHS[-1])].assurance == expected


def test_a_rate_is_judged_by_the_annual_target_in_every_month():
    # 92 % and 88 % alternating: mean 90, mR-bar 4, limits 79.36 .. 100.64; 75 % a year holds each month.
    rules = IndicatorRules(c.UP_IS_GOOD, frequency="monthly", unit="percentage")
    results = dict(zip(MONTHS, [92, 88] * 6, strict=True))
    latest = assess(rules, results, {(c.YEAR, D(2013, 4, 1)): 75})[(c.MONTH, MONTHS[-1])]
    assert latest.assurance == c.CONSISTENTLY_PASSES


# --- the vectorised and the reference paths give the same assurance -------------------------

# Two and a half years from April 2013: long enough for seasonal profiles, too short for Holt-Winters.
SPAN_MONTHS = [D(2013 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(30)]
SPAN_QUARTERS = SPAN_MONTHS[::3]
small = st.integers(0, 60).map(Decimal)


@st.composite
def indicator(draw):
    rules = IndicatorRules(
        polarity=draw(st.sampled_from(c.POLARITIES)),
        frequency=draw(st.sampled_from(["monthly", "quarterly"])),
        measure_type=draw(st.sampled_from([c.MEASURE_PERIOD, c.MEASURE_YTD, c.MEASURE_SNAPSHOT])),
        unit=draw(st.sampled_from(["count", "percentage", "ratio", "currency", "days"])),
    )
    kind, starts = (c.MONTH, SPAN_MONTHS) if rules.frequency == "monthly" else (c.QUARTER, SPAN_QUARTERS)
    results = {s: draw(small) for s in starts if draw(st.booleans()) or draw(st.booleans())}
    targets = {(kind, s): draw(small) for s in starts if draw(st.booleans())}
    targets |= {(c.YEAR, D(y, 4, 1)): draw(small) for y in (2013, 2014, 2015) if draw(st.booleans())}
    return rules, kind, results, targets


def _frames(generated):
    results, targets = [], []
    for ident, (_rules, kind, values, tmap) in enumerate(generated, start=1):
        results += [(ident, kind, s, period_bounds(kind, s)[1], v) for s, v in values.items()]
        targets += [(ident, k, s, v) for (k, s), v in tmap.items()]
    return (
        pd.DataFrame.from_records(results, columns=["indicator_id", "kind", "start", "end", "value"]),
        pd.DataFrame.from_records(targets, columns=["indicator_id", "kind", "start", "value"]),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(indicator(), min_size=1, max_size=3))
def test_vectorised_and_reference_paths_store_the_same_assessments(generated):
    specs = [IndicatorSpec(i, rules) for i, (rules, *_rest) in enumerate(generated, start=1)]
    results, targets = _frames(generated)
    saved = bulk.VECTORISE_FROM
    try:
        bulk.VECTORISE_FROM = 0
        vectorised = assess_all(specs, results, targets, forecast_methods={})
        bulk.VECTORISE_FROM = 10**9
        reference = assess_all(specs, results, targets, forecast_methods={})
    finally:
        bulk.VECTORISE_FROM = saved

    def key(a):
        return a.indicator_id, a.kind, a.start

    assert sorted(vectorised, key=key) == sorted(reference, key=key)
