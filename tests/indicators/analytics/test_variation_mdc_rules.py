"""Issue 10 item 5: the two special-cause rules written in DOMAIN.md "Variation" as Making Data Count has them.

(a) "2 of 3 near a limit" needs all three points of the window on the near points' side of the
    mean (a neighbour across the mean, or exactly on it, breaks it); a point beyond the process
    limit still counts as near.
(b) A point that ends a 7-point rise and starts a 7-point fall (or the reverse) takes the later
    trend's direction.

Every series is worked by hand on the fixed baseline 12, 8, 12, 8, ... (12 points):
mean 10, every moving range 4, so mR-bar = 4;
  process limits = 10 +/- 2.66 x 4         = [-0.64, 20.64]
  near limits    = 10 +/- (2/3 x 2.66) x 4 = [2.9067, 17.0933]
The last baseline point (index 11) is 8, below the mean.
"""

import pytest

from indicators.analytics.constants import (
    COMMON_CAUSE,
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    SPECIAL_CONCERNING,
    SPECIAL_IMPROVING,
    UP_IS_BAD,
    UP_IS_GOOD,
)
from indicators.analytics.variation import xmr

BASELINE = [12, 8] * 6


def flagged(result):
    return {i: r for i, r in enumerate(result.rule) if r is not None}


def test_hand_worked_limits_of_the_baseline():
    result = xmr(BASELINE + [18, 11, 18], UP_IS_GOOD, baseline_points=12)
    assert result.mean[-1] == pytest.approx(10)
    assert result.average_moving_range[-1] == pytest.approx(4)
    assert (result.lower_limit[-1], result.upper_limit[-1]) == (pytest.approx(-0.64), pytest.approx(20.64))
    assert result.upper_near[-1] == pytest.approx(17.0933, abs=1e-4)
    assert result.lower_near[-1] == pytest.approx(2.9067, abs=1e-4)


# --- (a) 2 of 3: all three on the same side of the mean ---------------------------------------


def test_two_near_points_with_a_neighbour_across_the_mean_are_not_a_signal():
    # 18, 9, 18: both 18s are beyond the upper near limit 17.09, but 9 is below the mean 10.
    # Windows: (8, 18, 9) one near point; (18, 9, 18) two near but 9 across the mean. Before the
    # rule changed both 18s were flagged "2 of 3" (as FIN01 Apr-May 2013 and CAN01 Jul 2013 were).
    result = xmr(BASELINE + [18, 9, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}
    assert result.variation[12:] == [COMMON_CAUSE] * 3


def test_a_neighbour_exactly_on_the_mean_breaks_two_of_three():
    result = xmr(BASELINE + [18, 10, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


def test_two_near_points_next_to_each_other_with_the_third_across_the_mean_are_not_a_signal():
    # 8 (index 11, below the mean), then 18, 18, then 9: windows (8, 18, 18) and (18, 18, 9) each
    # have a point below the mean. Near miss: no window of three lies wholly above the mean.
    result = xmr(BASELINE + [18, 18, 9], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


def test_two_near_points_with_the_third_on_the_same_side_still_signal():
    # 18, 11, 18: 11 is above the mean, so (18, 11, 18) lies wholly above it: the two 18s are marked.
    result = xmr(BASELINE + [18, 11, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {12: RULE_TWO_OF_THREE, 14: RULE_TWO_OF_THREE}
    assert result.variation[13] == COMMON_CAUSE
    assert result.latest_variation == SPECIAL_IMPROVING


def test_lower_side_needs_all_three_below_the_mean():
    # 2, 2.5 are beyond the lower near limit 2.91; index 11 (8) is below the mean: a signal.
    low = xmr(BASELINE + [2, 2.5], UP_IS_GOOD, baseline_points=12)
    assert flagged(low) == {12: RULE_TWO_OF_THREE, 13: RULE_TWO_OF_THREE}
    # After a point above the mean (12) the window (12, 2, 2.5) is broken, and the windows before
    # it have one near point at most: 2 and 2.5 end the series, so nothing is flagged.
    broken = xmr(BASELINE + [12, 2, 11, 2.5], UP_IS_GOOD, baseline_points=12)
    assert flagged(broken) == {}


def test_a_point_beyond_the_process_limit_counts_as_near():
    # 21 is beyond the upper limit 20.64 (outside, highest precedence) and also near; with 18 and
    # the 11 between them all above the mean, 18 is flagged "2 of 3".
    result = xmr(BASELINE + [21, 11, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {12: RULE_OUTSIDE_LIMITS, 14: RULE_TWO_OF_THREE}


# --- (b) a shared turning point takes the later trend's direction -----------------------------


def test_peak_shared_by_a_rise_and_a_fall_takes_the_falls_direction():
    # 8 (index 11), 9, 10, 11, 12, 13, 14 rise (7 points, indices 11..17); then 13, 12, 11, 10, 9,
    # 8 fall from the peak 14 (7 points, indices 17..23). Nothing is near a limit (max 14 < 17.09).
    # Index 17 ends the rise and starts the fall: it is falling (-1), concerning for up is good.
    rise = [9, 10, 11, 12, 13, 14]
    fall = [13, 12, 11, 10, 9, 8]
    result = xmr(BASELINE + rise + fall, UP_IS_GOOD, baseline_points=12)
    assert {i for i, r in flagged(result).items() if r == RULE_TREND} == set(range(11, 24))
    assert result.side[11:17] == [1] * 6
    assert result.side[17] == -1
    assert result.variation[17] == SPECIAL_CONCERNING
    assert result.side[18:24] == [-1] * 6


def test_trough_shared_by_a_fall_and_a_rise_takes_the_rises_direction():
    # After the baseline's last 8 (index 11): 12 (index 12), then 11, 10, 9, 8, 7, 6 fall
    # (indices 12..18, 7 points) and 7, 8, 9, 10, 11, 12 rise (indices 18..24, 7 points).
    # Lowest point 6 > lower near limit 2.91: no "2 of 3"; the trough, index 18, is rising (+1).
    values = BASELINE + [12, 11, 10, 9, 8, 7, 6, 7, 8, 9, 10, 11, 12]
    result = xmr(values, UP_IS_BAD, baseline_points=12)
    trend = {i for i, r in flagged(result).items() if r == RULE_TREND}
    assert trend == set(range(12, 25))
    assert result.side[18] == 1
    assert result.variation[18] == SPECIAL_CONCERNING  # rising, up is bad


def test_a_rise_followed_by_a_short_fall_keeps_the_rise():
    # Near miss: the fall after the peak is 5 points (4 falls), not a trend, so the peak is rising.
    rise = [9, 10, 11, 12, 13, 14]
    result = xmr(BASELINE + rise + [13, 12, 11, 10.5], UP_IS_GOOD, baseline_points=12)
    assert result.rule[17] == RULE_TREND
    assert result.side[17] == 1
    assert result.rule[18:] != [RULE_TREND] * 4


def test_shift_still_marks_after_the_trend_rules():
    # Sanity: a 7-point shift with no trend is unaffected by either change.
    result = xmr(BASELINE + [11, 12, 11, 12, 11, 12, 11], UP_IS_BAD, baseline_points=12)
    assert flagged(result) == {i: RULE_SHIFT for i in range(12, 19)}
