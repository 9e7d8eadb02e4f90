"""Issue 10 item 4: a sustained shift, the suggested rebase, and no assurance from limits the process has left.

DOMAIN.md "Variation": when the latest point ends a run of 7 or more consecutive points on the same
side of the centre line (or a 7-point trend), the limits describe a process that has changed; a
rebase from the start of that run is suggested, and until the hub accepts or dismisses it the
assurance is not judged ("the limits pre-date the change since <month>").

Hand-worked series SHIFTED, all 19 points forming the baseline (as PPP04's limits did):

    12, 8, 12, 8, 12, 8, 12, 8, 12, 8, 12, 8   (indices 0..11; the last, 8, below the mean)
    14, 15, 14, 15, 14, 15, 14                 (indices 12..18)

    mean  = (120 + 101) / 19 = 221/19 = 11.6316
    moving ranges: 4 (x11), 6 (8 -> 14), 1 (x6): mean 56/18 = 3.1111; 3.267 x 3.1111 = 10.16,
    nothing screened, so mR-bar = 56/18
    limits = 11.6316 +/- 2.66 x 3.1111 = [3.3560, 19.9071]
    near   = 11.6316 +/- 1.7733 x 3.1111 = [6.1145, 17.1486]: no point is near
    sides: the 12s above, the 8s below, then 14/15 above: a run of 7 above (indices 12..18), a
    shift; no trend (the 14/15 alternate).

    Target 11 (up is good) lies between the limits: "hit and miss" without the rule, not judged
    with it; target 21 is above the upper limit: "consistently fails" without the rule.

Rebased at index 12 the new segment is 14, 15, 14, 15, 14, 15, 14: mean 101/7 = 14.4286, every
moving range 1, limits 14.4286 +/- 2.66 = [11.7686, 17.0886] (trial limits: 7 points), so
target 11 is below the lower limit: "consistently passes".
"""

import datetime
from decimal import Decimal

import pandas as pd
import pytest

from indicators.analytics import constants as c
from indicators.analytics.bulk import IndicatorSpec, assess_all
from indicators.analytics.series import IndicatorRules
from indicators.analytics.variation import xmr
from indicators.periods import period_bounds

BEFORE = [12, 8] * 6
AFTER = [14, 15, 14, 15, 14, 15, 14]
SHIFTED = BEFORE + AFTER


def test_hand_worked_limits_of_the_shifted_series():
    result = xmr(SHIFTED, c.UP_IS_GOOD, target=11)
    assert result.mean[-1] == pytest.approx(221 / 19)
    assert result.average_moving_range[-1] == pytest.approx(56 / 18)
    assert result.lower_limit[-1] == pytest.approx(221 / 19 - 2.66 * 56 / 18)
    assert result.upper_limit[-1] == pytest.approx(221 / 19 + 2.66 * 56 / 18)
    assert result.rule[12:] == [c.RULE_SHIFT] * 7
    assert result.rule[:12] == [None] * 12


def test_latest_point_ending_a_seven_point_shift_suggests_a_rebase_and_withholds_assurance():
    result = xmr(SHIFTED, c.UP_IS_GOOD, target=11)
    assert result.latest_shift_start == 12
    assert result.shift_start[12:18] == [None] * 6  # the run is shorter than 7 until index 18
    assert result.shift_start[18] == 12
    assert result.assurance == c.LIMITS_PREDATE_CHANGE
    assert result.latest_variation == c.SPECIAL_IMPROVING  # the variation itself is still shown


def test_never_consistently_fails_from_limits_the_process_has_left():
    # Target 21 is above the upper limit 19.91: "consistently fails" without the rule.
    assert xmr(SHIFTED, c.UP_IS_GOOD, target=21).assurance == c.LIMITS_PREDATE_CHANGE
    assert xmr(SHIFTED[:-1], c.UP_IS_GOOD, target=21).assurance == c.CONSISTENTLY_FAILS


def test_six_points_on_one_side_are_a_near_miss():
    # Without the last 14: 18 points, mean 207/18 = 11.5, moving ranges 4 (x11), 6, 1 (x5): mR-bar
    # 55/17 = 3.2353; limits [2.894, 20.106]; target 11 hit and miss; the run above is 6 points.
    result = xmr(SHIFTED[:-1], c.UP_IS_GOOD, target=11)
    assert result.mean[-1] == pytest.approx(11.5)
    assert result.average_moving_range[-1] == pytest.approx(55 / 17)
    assert result.latest_shift_start is None
    assert result.assurance == c.HIT_AND_MISS


def test_a_point_on_the_centre_line_breaks_the_run():
    # Fixed baseline on the first 12 points: mean 10 exactly. After it 11, 12, 11, 10, 12, 11, 12, 11:
    # the 10 sits on the centre line, so the run ending at the last point is 4 points: no shift.
    values = BEFORE + [11, 12, 11, 10, 12, 11, 12, 11]
    result = xmr(values, c.UP_IS_GOOD, baseline_points=12, target=10)
    assert result.latest_shift_start is None
    assert result.assurance == c.HIT_AND_MISS


def test_a_shift_that_has_ended_is_no_longer_suggested():
    # The run of 7 above ends with a point below the mean (8): the latest point ends no run.
    result = xmr(SHIFTED + [8], c.UP_IS_GOOD, target=11)
    assert result.latest_shift_start is None
    assert result.assurance in {c.HIT_AND_MISS, c.CONSISTENTLY_PASSES, c.CONSISTENTLY_FAILS}


def test_a_seven_point_trend_ending_at_the_latest_point_is_a_sustained_shift_from_its_start():
    # Fixed baseline mean 10, limits [-0.64, 20.64]. 8 (index 11) then 9 .. 14 rise: a 7-point
    # trend from index 11; only 11..14 (indices 14..17) are above the mean, so no same-side run.
    values = BEFORE + [9, 10, 11, 12, 13, 14]
    result = xmr(values, c.UP_IS_GOOD, baseline_points=12, target=10)
    assert result.rule[-1] == c.RULE_TREND
    assert result.latest_shift_start == 11
    assert result.assurance == c.LIMITS_PREDATE_CHANGE


def test_a_six_point_trend_is_a_near_miss():
    values = BEFORE + [9, 10, 11, 12, 13]
    result = xmr(values, c.UP_IS_GOOD, baseline_points=12, target=10)
    assert result.latest_shift_start is None
    assert result.assurance == c.HIT_AND_MISS


def test_a_dismissed_shift_is_not_suggested_again_and_the_assurance_is_judged():
    result = xmr(SHIFTED, c.UP_IS_GOOD, target=11, dismissed_shift_starts={12})
    assert result.latest_shift_start is None
    assert result.assurance == c.HIT_AND_MISS
    # Dismissing another start does not hide this one.
    assert xmr(SHIFTED, c.UP_IS_GOOD, target=11, dismissed_shift_starts={5}).latest_shift_start == 12


def test_rebase_from_the_shift_gives_trial_limits_of_the_new_process_and_a_verdict():
    result = xmr(SHIFTED, c.UP_IS_GOOD, target=11, rebase_at=12)
    assert result.mean[-1] == pytest.approx(101 / 7)
    assert result.average_moving_range[-1] == pytest.approx(1)
    assert result.lower_limit[-1] == pytest.approx(101 / 7 - 2.66)
    assert result.upper_limit[-1] == pytest.approx(101 / 7 + 2.66)
    assert result.trial_limits is True
    assert result.latest_shift_start is None  # a run cannot start at its own segment's start
    assert result.assurance == c.CONSISTENTLY_PASSES
    assert result.rule[12:] == [None] * 7


def test_neutral_polarity_still_finds_the_shift_but_has_no_assurance():
    result = xmr(SHIFTED, c.NEUTRAL, target=11)
    assert result.latest_shift_start == 12
    assert result.assurance is None


# --- the bulk assessment: dates, dismissed starts and rebase annotations -----------------------

D = datetime.date
MONTHS = [D(2014 + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(len(SHIFTED))]  # Apr 2014 ..
RULES = IndicatorRules(c.UP_IS_GOOD, frequency="monthly", measure_type=c.MEASURE_PERIOD, unit="percentage")


def _assess(**spec):
    results = pd.DataFrame.from_records(
        [
            (1, c.MONTH, m, period_bounds(c.MONTH, m)[1], Decimal(v))
            for m, v in zip(MONTHS, SHIFTED, strict=True)
        ],
        columns=["indicator_id", "kind", "start", "end", "value"],
    )
    targets = pd.DataFrame.from_records(
        [(1, c.YEAR, D(fy, 4, 1), Decimal(11)) for fy in (2014, 2015)],
        columns=["indicator_id", "kind", "start", "value"],
    )
    out = assess_all([IndicatorSpec(1, RULES, **spec)], results, targets)
    return {a.start: a for a in out}


def test_bulk_assessment_records_the_shift_start_month_and_withholds_assurance():
    assessed = _assess()
    latest = assessed[MONTHS[-1]]
    assert MONTHS[12] == D(2015, 4, 1)
    assert latest.shift_since == D(2015, 4, 1)
    assert latest.assurance == c.LIMITS_PREDATE_CHANGE
    assert assessed[MONTHS[17]].shift_since is None
    assert assessed[MONTHS[17]].assurance == c.HIT_AND_MISS


def test_bulk_assessment_respects_a_dismissed_start():
    latest = _assess(dismissed_shift_dates=(D(2015, 4, 1),))[MONTHS[-1]]
    assert latest.shift_since is None
    assert latest.assurance == c.HIT_AND_MISS


def test_bulk_assessment_rebased_from_the_accepted_start():
    latest = _assess(rebase_dates=(D(2015, 4, 1),))[MONTHS[-1]]
    assert latest.centre_line == pytest.approx(101 / 7)
    assert latest.trial_limits is True
    assert latest.shift_since is None
    assert latest.assurance == c.CONSISTENTLY_PASSES
