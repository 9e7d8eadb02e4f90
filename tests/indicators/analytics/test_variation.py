"""XmR charts: limits, moving-range screening, the four special-cause rules, assurance.

Most series below start with a baseline alternating 12, 8, 12, 8, ... (12 points):
mean 10, every moving range 4, so mR-bar = 4 and
  process limits = 10 +/- 2.66 x 4          = [-0.64, 20.64]
  near limits    = 10 +/- (2/3 x 2.66) x 4  = [2.9067, 17.0933]
Fixing the baseline on those 12 points (``baseline_points=12``) keeps the limits
the same whatever follows, so each test's arithmetic can be checked by hand.
"""

import pytest

from indicators.analytics.constants import (
    ASSURANCE_LABELS,
    COMMON_CAUSE,
    CONSISTENTLY_FAILS,
    CONSISTENTLY_PASSES,
    HIT_AND_MISS,
    NEUTRAL,
    NO_VARIATION,
    RULE_OUTSIDE_LIMITS,
    RULE_SHIFT,
    RULE_TREND,
    RULE_TWO_OF_THREE,
    SPECIAL_CONCERNING,
    SPECIAL_IMPROVING,
    SPECIAL_NEUTRAL,
    UP_IS_BAD,
    UP_IS_GOOD,
    VARIATION_LABELS,
)
from indicators.analytics.variation import xmr, xmr_latest

BASELINE = [12, 8] * 6


def flagged(result):
    """{index: rule} for every special-cause point."""
    return {i: r for i, r in enumerate(result.rule) if r is not None}


# --- limits -------------------------------------------------------------------


def test_fixed_baseline_limits_match_hand_calculation():
    result = xmr(BASELINE + [11, 9, 30], UP_IS_GOOD, baseline_points=12)
    assert result.mean[-1] == pytest.approx(10)
    assert result.average_moving_range[-1] == pytest.approx(4)
    assert result.upper_limit[-1] == pytest.approx(20.64)
    assert result.lower_limit[-1] == pytest.approx(-0.64)
    assert result.upper_near[-1] == pytest.approx(10 + 2 * 2.66 / 3 * 4)
    assert result.lower_near[-1] == pytest.approx(10 - 2 * 2.66 / 3 * 4)
    assert result.moving_range[0] is None
    assert result.moving_range[-1] == pytest.approx(21)


def test_moving_ranges_far_above_their_mean_are_screened_out():
    # Values 10, 11, 10, 11, 10, 30: moving ranges 1, 1, 1, 1, 20; their mean is 24/5 = 4.8.
    # 3.267 x 4.8 = 15.68, and 20 >= 15.68, so 20 is dropped: mR-bar = (1+1+1+1)/4 = 1.
    # Without screening mR-bar would be 4.8 and the limits almost five times as wide.
    result = xmr([10, 11, 10, 11, 10, 30], UP_IS_GOOD)
    assert result.average_moving_range[0] == pytest.approx(1)
    mean = (10 + 11 + 10 + 11 + 10 + 30) / 6
    assert result.upper_limit[0] == pytest.approx(mean + 2.66)
    assert result.rule[-1] == RULE_OUTSIDE_LIMITS


def test_moving_ranges_below_the_screening_limit_are_kept():
    # Ranges 1, 1, 1, 5: mean 2, 3.267 x 2 = 6.534 > 5, so nothing is screened.
    result = xmr([10, 11, 10, 11, 16], UP_IS_GOOD)
    assert result.average_moving_range[0] == pytest.approx(2)


# --- rule 1: outside the process limits -------------------------------------------


def test_point_beyond_upper_limit_is_special_cause_without_fixed_baseline():
    # 8, 12 alternating then 30. Mean = 150/13 = 11.538; ranges 4 (x11) and 18; mean 62/12 = 5.17,
    # 3.267 x 5.17 = 16.9 so 18 is screened: mR-bar = 4. UPL = 11.538 + 10.64 = 22.18 < 30.
    # Near limits 11.538 +/- 7.09 = [4.45, 18.63]: no other point is near; sides alternate.
    result = xmr([8, 12] * 6 + [30], UP_IS_GOOD)
    assert result.upper_limit[0] == pytest.approx(150 / 13 + 10.64)
    assert flagged(result) == {12: RULE_OUTSIDE_LIMITS}
    assert result.variation[12] == SPECIAL_IMPROVING
    assert result.variation[:12] == [COMMON_CAUSE] * 12
    assert result.latest_variation == SPECIAL_IMPROVING
    assert result.latest_rule == RULE_OUTSIDE_LIMITS


def test_point_below_lower_limit_is_concerning_when_up_is_good():
    result = xmr(BASELINE + [-1], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {12: RULE_OUTSIDE_LIMITS}
    assert result.side[12] == -1
    assert result.latest_variation == SPECIAL_CONCERNING


def test_point_exactly_on_a_limit_is_not_outside():
    result = xmr([0, 4, 0, 4, 0, 4, 0, 4], UP_IS_GOOD)  # mean 2, mR-bar 4: limits 2 +/- 10.64
    on_limit = xmr([0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 12.64], UP_IS_GOOD, baseline_points=8)
    assert result.upper_limit[0] == pytest.approx(12.64)
    assert on_limit.rule[-1] != RULE_OUTSIDE_LIMITS


# --- rule 2: trend --------------------------------------------------------------------


TREND_TAIL = [11, 11.5, 12, 12.5, 13, 13.5, 14]


def test_seven_rising_points_are_a_trend_on_all_seven():
    # 10, 14 alternating then 11 .. 14 in steps of 0.5: the 14 -> 11 fall starts the run,
    # which is 7 points / 6 rises. Mean = (96 + 87.5) / 15 = 12.233; ranges 4 (x7), 3, 0.5 (x6)
    # -> mR-bar 34/14 = 2.43, near limits 12.233 +/- 4.31 = [7.93, 16.54]: nothing is near.
    # Sides of the mean: 10/14 alternate, then 11, 11.5, 12 below, 12.5 .. 14 above: no shift.
    result = xmr([10, 14] * 4 + TREND_TAIL, UP_IS_GOOD)
    assert flagged(result) == {i: RULE_TREND for i in range(8, 15)}
    assert set(result.variation[8:]) == {SPECIAL_IMPROVING}
    assert result.latest_rule == RULE_TREND


def test_seven_falling_points_are_a_trend_and_improving_when_up_is_bad():
    falling = [28 - v for v in TREND_TAIL]  # 17 .. 14 falling, mirror image of the rising case
    result = xmr([28 - v for v in [10, 14] * 4] + falling, UP_IS_BAD)
    assert flagged(result) == {i: RULE_TREND for i in range(8, 15)}
    assert set(result.side[8:]) == {-1}
    assert result.latest_variation == SPECIAL_IMPROVING


def test_run_longer_than_seven_marks_every_point():
    result = xmr(BASELINE + [4, 5, 6, 7, 8, 9, 10, 11, 12], UP_IS_GOOD, baseline_points=12)
    # 8 (index 11) -> 4 is a fall, so the rising run is indices 12..20 (9 points).
    assert {i for i, r in flagged(result).items() if r == RULE_TREND} == set(range(12, 21))


def test_six_rising_points_are_not_a_trend():
    result = xmr([10, 14] * 4 + TREND_TAIL[1:], UP_IS_GOOD)
    assert flagged(result) == {}
    assert result.latest_variation == COMMON_CAUSE


def test_equal_neighbours_break_a_trend():
    tail = [11, 11.5, 12, 12, 12.5, 13, 13.5]
    result = xmr([10, 14] * 4 + tail, UP_IS_GOOD)
    assert RULE_TREND not in result.rule


# --- rule 3: two of three near a limit ------------------------------------------------


def test_two_of_three_beyond_upper_near_limit_marks_only_the_two():
    # Upper near limit 17.09, upper limit 20.64: 18 is near but inside; 11 is not near.
    result = xmr(BASELINE + [18, 11, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {12: RULE_TWO_OF_THREE, 14: RULE_TWO_OF_THREE}
    assert result.variation[13] == COMMON_CAUSE
    assert result.latest_variation == SPECIAL_IMPROVING


def test_two_consecutive_points_beyond_lower_near_limit_are_concerning_when_up_is_good():
    result = xmr(BASELINE + [2, 2.5], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {12: RULE_TWO_OF_THREE, 13: RULE_TWO_OF_THREE}
    assert result.latest_variation == SPECIAL_CONCERNING


def test_near_points_on_opposite_sides_do_not_count():
    result = xmr(BASELINE + [18, 2, 11], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


def test_one_of_three_near_is_not_a_signal():
    # 18, 11, 11, 18: every window of three holds only one near point.
    result = xmr(BASELINE + [18, 11, 11, 18], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


# --- rule 4: shift ---------------------------------------------------------------------


def test_seven_points_above_the_mean_are_a_shift_on_all_seven():
    # Mean 10; 11/12 alternate, so no trend, and stay well inside the near limit 17.09.
    result = xmr(BASELINE + [11, 12, 11, 12, 11, 12, 11], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {i: RULE_SHIFT for i in range(12, 19)}
    assert result.latest_variation == SPECIAL_IMPROVING


def test_six_points_on_one_side_are_not_a_shift():
    result = xmr(BASELINE + [11, 12, 11, 12, 11, 12, 9], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


def test_a_point_exactly_on_the_mean_breaks_a_shift():
    result = xmr(BASELINE + [11, 12, 11, 10, 12, 11, 12, 11], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {}


def test_shift_below_the_mean_is_improving_when_up_is_bad():
    # Baseline 8, 12, ... ends above the mean, so the run starts at index 12.
    result = xmr([8, 12] * 6 + [9, 8, 9, 8, 9, 8, 9], UP_IS_BAD, baseline_points=12)
    assert flagged(result) == {i: RULE_SHIFT for i in range(12, 19)}
    assert result.latest_variation == SPECIAL_IMPROVING


# --- precedence, polarity -------------------------------------------------------------


def test_outside_limits_outranks_shift_on_the_same_point():
    result = xmr(BASELINE + [11, 12, 11, 12, 11, 12, 25], UP_IS_GOOD, baseline_points=12)
    assert result.rule[18] == RULE_OUTSIDE_LIMITS
    assert result.rule[12:18] == [RULE_SHIFT] * 6


def test_trend_outranks_shift_on_the_same_points():
    # 8 (index 11) -> 10.5 is a rise, so the trend is indices 11..18; 12..18 are also a shift.
    result = xmr(BASELINE + [10.5, 11, 11.5, 12, 12.5, 13, 13.5], UP_IS_GOOD, baseline_points=12)
    assert flagged(result) == {i: RULE_TREND for i in range(11, 19)}


def test_polarity_flips_improving_and_concerning():
    values = BASELINE + [30]
    assert xmr(values, UP_IS_GOOD, baseline_points=12).latest_variation == SPECIAL_IMPROVING
    assert xmr(values, UP_IS_BAD, baseline_points=12).latest_variation == SPECIAL_CONCERNING


def test_neutral_polarity_gives_special_cause_without_judgement():
    result = xmr(BASELINE + [30], NEUTRAL, baseline_points=12, target=5)
    assert result.latest_variation == SPECIAL_NEUTRAL
    assert result.assurance is None
    assert VARIATION_LABELS[SPECIAL_NEUTRAL] == "Special cause"


# --- trial limits, short and constant series --------------------------------------------


def test_fewer_than_thirteen_points_give_trial_limits():
    assert xmr(BASELINE, UP_IS_GOOD).trial_limits is True
    assert xmr(BASELINE + [12], UP_IS_GOOD).trial_limits is False


def test_fixed_baseline_shorter_than_thirteen_gives_trial_limits_however_long_the_series():
    assert xmr(BASELINE * 3, UP_IS_GOOD, baseline_points=12).trial_limits is True


@pytest.mark.parametrize("values", [[], [5]])
def test_fewer_than_two_points_have_no_limits_and_no_variation(values):
    result = xmr(values, UP_IS_GOOD, target=3)
    assert result.upper_limit == [None] * len(values)
    assert result.latest_variation == NO_VARIATION
    assert result.assurance is None
    assert result.latest_rule is None


def test_constant_series_has_limits_on_the_mean_and_no_signal():
    result = xmr([5] * 10, UP_IS_GOOD)
    assert result.upper_limit[0] == result.lower_limit[0] == result.mean[0] == 5
    assert result.variation == [COMMON_CAUSE] * 10


def test_change_after_a_constant_baseline_is_outside_the_limits():
    result = xmr([5] * 10 + [6], UP_IS_BAD, baseline_points=10)
    assert flagged(result) == {10: RULE_OUTSIDE_LIMITS}
    assert result.latest_variation == SPECIAL_CONCERNING


# --- rebase and fixed baseline ------------------------------------------------------------


def test_rebase_gives_the_new_segment_its_own_limits():
    values = [8, 12] * 5 + [28, 32] * 5
    plain = xmr(values, UP_IS_GOOD)
    rebased = xmr(values, UP_IS_GOOD, rebase_at=10)
    # One set of limits: mean 20, the step's moving range 16 is screened, mR-bar 4, so
    # every point is beyond 20 +/- 10.64.
    assert all(plain.special_cause)
    assert rebased.mean[0] == pytest.approx(10)
    assert rebased.mean[10] == pytest.approx(30)
    assert rebased.average_moving_range[10] == pytest.approx(4)
    assert flagged(rebased) == {}
    assert rebased.segment_starts == [0, 10]
    assert rebased.trial_limits is True  # the latest segment has 10 points


def test_rules_do_not_run_across_a_rebase():
    # 4 points above the mean before the rebase and 4 after would be a shift of 8 without it.
    values = [8, 12] * 4 + [11, 11, 11, 11] + [11, 11, 11, 11] + [8, 12] * 4
    result = xmr(values, UP_IS_GOOD, rebase_at=[12], baseline_points=8)
    assert RULE_SHIFT not in result.rule[8:16]


def test_rebase_index_outside_the_series_is_rejected():
    with pytest.raises(ValueError):
        xmr([1, 2, 3], UP_IS_GOOD, rebase_at=3)


def test_fixed_baseline_ignores_later_points_for_the_limits():
    result = xmr(BASELINE + [100, 100, 100], UP_IS_GOOD, baseline_points=12)
    assert result.mean[-1] == pytest.approx(10)
    assert result.average_moving_range[-1] == pytest.approx(4)


# --- assurance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        (UP_IS_GOOD, -1, CONSISTENTLY_PASSES),  # below LPL -0.64: nearly every point meets it
        (UP_IS_GOOD, 10, HIT_AND_MISS),
        (UP_IS_GOOD, 21, CONSISTENTLY_FAILS),  # above UPL 20.64: the process must change
        (UP_IS_BAD, 21, CONSISTENTLY_PASSES),
        (UP_IS_BAD, 10, HIT_AND_MISS),
        (UP_IS_BAD, -1, CONSISTENTLY_FAILS),
    ],
)
def test_assurance_against_target(polarity, target, expected):
    result = xmr(BASELINE, polarity, target=target)
    assert result.assurance == expected
    assert expected in ASSURANCE_LABELS


def test_target_equal_to_a_constant_process_consistently_passes():
    assert xmr([5] * 13, UP_IS_GOOD, target=5).assurance == CONSISTENTLY_PASSES
    assert xmr([5] * 13, UP_IS_BAD, target=5).assurance == CONSISTENTLY_PASSES


def test_no_target_gives_no_assurance():
    assert xmr(BASELINE, UP_IS_GOOD).assurance is None


def test_xmr_latest_summarises_the_latest_point():
    assert xmr_latest(BASELINE + [12], UP_IS_GOOD, target=21) == (
        COMMON_CAUSE,
        CONSISTENTLY_FAILS,
        None,
    )
    variation, _, rule = xmr_latest([8, 12] * 6 + [30], UP_IS_BAD)
    assert (variation, rule) == (SPECIAL_CONCERNING, RULE_OUTSIDE_LIMITS)


def test_decimal_values_are_accepted():
    from decimal import Decimal

    result = xmr([Decimal("1.5"), Decimal("2.5"), Decimal("1.5")], UP_IS_GOOD, target=Decimal("1"))
    assert result.mean[0] == pytest.approx(11 / 6)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        xmr([1, 2], "sideways")
    with pytest.raises(ValueError):
        xmr([1, float("nan")], UP_IS_GOOD)
    with pytest.raises(ValueError):
        xmr([1, 2], UP_IS_GOOD, baseline_points=0)
