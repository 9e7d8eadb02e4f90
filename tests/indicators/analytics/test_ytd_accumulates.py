"""Issue 10 item 6: the library says whether a year-to-date measure accumulates (DOMAIN.md "Indicators").

Hand-worked series: council tax collected as a % of the year's fixed debit, year to date, by quarter
(RBN01-like, up is good). It is a percentage, so by its unit alone it was a running rate with no
variation chart; marked as accumulating it is charted on the amount added in each quarter:

    2014/15  Q1 25  Q2 50  Q3 74  Q4 97      added 25 25 24 23
    2015/16  Q1 26  Q2 50  Q3 75             added 26 24 25

Added: 25, 25, 24, 23, 26, 24, 25 -> mean 172/7 = 24.5714; moving ranges 0, 1, 1, 3, 2, 1, mean
8/6 = 1.3333 (3.267 x 1.3333 = 4.356: nothing screened); limits 24.5714 +/- 2.66 x 1.3333 =
[21.0248, 28.1181]; near limits 24.5714 +/- 2.3644 = [22.2070, 26.9359]. Every point is common
cause (near miss: 23 is above the lower near limit 22.21; the sides of the mean alternate, so no
shift; no run of rises); 7 points give trial limits. The 2015/16 profiled cumulative targets 25,
49, 73 mean Q3 should add 73 - 49 = 24: between the limits, hit and miss.
"""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, assess_all, forecast_type, is_additive, variation_basis
from indicators.analytics.series import IndicatorRules
from indicators.periods import period_bounds

D = datetime.date
QUARTERS = [
    D(2014, 4, 1),
    D(2014, 7, 1),
    D(2014, 10, 1),
    D(2015, 1, 1),
    D(2015, 4, 1),
    D(2015, 7, 1),
    D(2015, 10, 1),
]
COLLECTED = [25, 50, 74, 97, 26, 50, 75]
ADDED = [25, 25, 24, 23, 26, 24, 25]
TARGETS = {D(2015, 4, 1): 25, D(2015, 7, 1): 49, D(2015, 10, 1): 73}


def assess(accumulates, unit="percentage"):
    rules = IndicatorRules(
        c.UP_IS_GOOD,
        frequency="quarterly",
        measure_type=c.MEASURE_YTD,
        unit=unit,
        ytd_accumulates=accumulates,
    )
    results = pd.DataFrame.from_records(
        [
            (1, c.QUARTER, q, period_bounds(c.QUARTER, q)[1], Decimal(v))
            for q, v in zip(QUARTERS, COLLECTED, strict=True)
        ],
        columns=["indicator_id", "kind", "start", "end", "value"],
    )
    targets = pd.DataFrame.from_records(
        [(1, c.QUARTER, q, Decimal(v)) for q, v in TARGETS.items()],
        columns=["indicator_id", "kind", "start", "value"],
    )
    return {a.start: a for a in assess_all([IndicatorSpec(1, rules)], results, targets)}


def test_the_library_decides_whether_a_ytd_measure_accumulates():
    assert is_additive(c.MEASURE_YTD, "percentage") is False  # by the unit: a running rate
    assert is_additive(c.MEASURE_YTD, "percentage", True) is True
    assert is_additive(c.MEASURE_YTD, "ratio", True) is True  # waste per household so far
    assert is_additive(c.MEASURE_YTD, "days", False) is False  # sickness days per FTE so far
    assert is_additive(c.MEASURE_YTD, "days") is True
    # The flag is about year-to-date measures only.
    assert is_additive(c.MEASURE_PERIOD, "percentage", True) is False
    assert is_additive(c.MEASURE_SNAPSHOT, "count", True) is False
    assert variation_basis(c.MEASURE_YTD, "percentage", True) == "increment"
    assert variation_basis(c.MEASURE_YTD, "percentage") is None
    assert variation_basis(c.MEASURE_PERIOD, "percentage") == "value"
    assert forecast_type(c.MEASURE_YTD, "percentage", True) == "additive_ytd"
    assert forecast_type(c.MEASURE_YTD, "percentage") == "level"


def test_accumulating_ytd_percentage_is_charted_on_the_amount_added():
    assessed = assess(True)
    q3 = assessed[D(2015, 10, 1)]
    assert q3.centre_line == pytest.approx(172 / 7)
    assert q3.lower_limit == pytest.approx(172 / 7 - 2.66 * 8 / 6)
    assert q3.upper_limit == pytest.approx(172 / 7 + 2.66 * 8 / 6)
    assert q3.trial_limits is True
    assert [assessed[q].variation for q in QUARTERS] == [c.COMMON_CAUSE] * 7
    assert q3.assurance == c.HIT_AND_MISS  # 24 added against limits 21.02 .. 28.12
    assert q3.rag == c.GREEN  # 75 collected against the cumulative 73


def test_without_the_flag_a_ytd_percentage_gets_no_variation():
    q3 = assess(None)[D(2015, 10, 1)]
    assert (q3.variation, q3.centre_line, q3.assurance) == ("", None, "")


def test_a_running_rate_in_days_is_not_charted_when_the_library_says_so():
    q3 = assess(False, unit="days")[D(2015, 10, 1)]
    assert (q3.variation, q3.centre_line) == ("", None)
    assert assess(None, unit="days")[D(2015, 10, 1)].centre_line == pytest.approx(172 / 7)


def test_an_accumulating_ytd_percentage_is_forecast_as_an_amount():
    q3 = assess(True)[D(2015, 10, 1)]
    assert q3.forecast_value is not None
    assert 90 < q3.forecast_value < 110  # about 75 collected by December, on pace for ~100 by March
