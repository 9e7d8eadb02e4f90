"""Direction of travel, including the framework's Table 3.3 worked examples."""

import datetime
from decimal import Decimal

import pytest

from indicators.analytics.constants import (
    BAD,
    DIRECTION_LABELS,
    GOOD,
    MONTH,
    NEUTRAL,
    NOT_COMPARABLE,
    PERCENT,
    QUARTER,
    SAME,
    UP_IS_BAD,
    UP_IS_GOOD,
    YEAR,
)
from indicators.analytics.direction import (
    choose_comparator,
    comparator_key,
    consecutive_worsening,
    direction_of_travel,
    periods_comparable,
)

D = datetime.date


# --- Table 3.3 of the Performance Management Framework 2016-2019 --------------


def test_table_3_3_stf90_pdr_completion_rise_is_good():
    assert direction_of_travel(82, 71, UP_IS_GOOD) == GOOD


def test_table_3_3_stf15_sickness_rise_is_bad():
    assert direction_of_travel(6.5, 6.4, UP_IS_BAD) == BAD


def test_table_3_3_stf32_voluntary_turnover_rise_is_bad():
    assert direction_of_travel(Decimal("14.70"), Decimal("2.00"), UP_IS_BAD) == BAD


def test_table_3_3_bpi107_budget_overspend_rise_is_bad():
    assert direction_of_travel(110, 8, UP_IS_BAD) == BAD


def test_table_3_3_cfd01_calls_neutral_polarity_is_neutral_despite_big_fall():
    assert direction_of_travel(1918, 13805, NEUTRAL) == SAME
    assert DIRECTION_LABELS[SAME] == "Neutral"


def test_table_3_3_stf01_headcount_neutral_polarity_is_neutral():
    assert direction_of_travel(57, 54, NEUTRAL) == SAME


# --- polarity -----------------------------------------------------------------


def test_up_is_good_fall_is_worsening():
    assert direction_of_travel(70, 71, UP_IS_GOOD) == BAD


def test_up_is_bad_rise_is_worsening():
    assert direction_of_travel(7, 6, UP_IS_BAD) == BAD


def test_up_is_bad_fall_is_improving():
    assert direction_of_travel(5, 6, UP_IS_BAD) == GOOD


def test_equal_values_are_no_change():
    assert direction_of_travel(6.4, 6.4, UP_IS_BAD) == SAME
    assert direction_of_travel(Decimal("6.40"), 6.4, UP_IS_GOOD) == SAME


def test_missing_comparator_or_current_is_not_comparable():
    assert direction_of_travel(82, None, UP_IS_GOOD) == NOT_COMPARABLE
    assert direction_of_travel(None, 71, UP_IS_GOOD) == NOT_COMPARABLE
    assert direction_of_travel(None, None, NEUTRAL) == NOT_COMPARABLE
    assert DIRECTION_LABELS[NOT_COMPARABLE] == "Not comparable"


def test_budget_underspend_turning_to_overspend_is_bad():
    # BPI107 2013/14 -> 2014/15: -4 (underspent) -> 8 (overspent), up is bad.
    assert direction_of_travel(8, -4, UP_IS_BAD) == BAD
    assert direction_of_travel(-4, 8, UP_IS_BAD) == GOOD


def test_zero_values_compare_normally():
    assert direction_of_travel(0, 0, UP_IS_GOOD) == SAME
    assert direction_of_travel(1, 0, UP_IS_GOOD) == GOOD
    assert direction_of_travel(0, 1, UP_IS_BAD) == GOOD


# --- "no significant change" threshold ---------------------------------------


def test_change_exactly_equal_to_absolute_threshold_is_no_significant_change():
    assert direction_of_travel(6.5, 6.4, UP_IS_BAD, threshold=0.1) == SAME


def test_change_just_over_absolute_threshold_counts():
    assert direction_of_travel(6.51, 6.4, UP_IS_BAD, threshold=0.1) == BAD
    assert direction_of_travel(6.29, 6.4, UP_IS_BAD, threshold=0.1) == GOOD


def test_change_exactly_equal_to_percent_threshold_is_no_significant_change():
    # 2% of 50 = 1.
    assert direction_of_travel(51, 50, UP_IS_GOOD, threshold=2, threshold_kind=PERCENT) == SAME
    assert direction_of_travel(49, 50, UP_IS_GOOD, threshold=2, threshold_kind=PERCENT) == SAME


def test_change_just_over_percent_threshold_counts():
    assert direction_of_travel(51.01, 50, UP_IS_GOOD, threshold=2, threshold_kind=PERCENT) == GOOD


def test_percent_threshold_uses_magnitude_of_negative_previous():
    # 10% of |-50| = 5: -45 is within, -44 is a real rise (worse when up is bad).
    assert direction_of_travel(-45, -50, UP_IS_BAD, threshold=10, threshold_kind=PERCENT) == SAME
    assert direction_of_travel(-44, -50, UP_IS_BAD, threshold=10, threshold_kind=PERCENT) == BAD


def test_percent_threshold_against_zero_previous_means_any_change_counts():
    assert direction_of_travel(0.001, 0, UP_IS_GOOD, threshold=50, threshold_kind=PERCENT) == GOOD


def test_no_threshold_means_any_change_counts():
    assert direction_of_travel(71.0001, 71, UP_IS_GOOD) == GOOD


def test_threshold_boundary_is_exact_despite_float_noise():
    # 0.3 - 0.1 is 0.19999999999999998 in floats.
    assert direction_of_travel(0.3, 0.1, UP_IS_GOOD, threshold=0.2) == SAME


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        direction_of_travel(1, 2, "sideways")
    with pytest.raises(ValueError):
        direction_of_travel(1, 2, UP_IS_GOOD, threshold=-1)
    with pytest.raises(ValueError):
        direction_of_travel(1, 2, UP_IS_GOOD, threshold=1, threshold_kind="ratio")


# --- comparator choice ------------------------------------------------------------


def test_period_measure_compares_with_previous_month():
    available = {(MONTH, D(2015, 11, 1)): 10}
    assert choose_comparator(MONTH, D(2015, 12, 1), "period", False, available) == (MONTH, D(2015, 11, 1))


def test_previous_month_crosses_the_calendar_year():
    available = {(MONTH, D(2015, 12, 1)): 10}
    assert choose_comparator(MONTH, D(2016, 1, 1), "period", False, available) == (MONTH, D(2015, 12, 1))


def test_period_measure_compares_with_previous_quarter():
    available = {(QUARTER, D(2015, 7, 1)): 10}
    assert choose_comparator(QUARTER, D(2015, 10, 1), "snapshot", False, available) == (
        QUARTER,
        D(2015, 7, 1),
    )


def test_year_compares_with_previous_year():
    available = {(YEAR, D(2014, 4, 1)): 54}
    assert choose_comparator(YEAR, D(2015, 4, 1), "snapshot", False, available) == (YEAR, D(2014, 4, 1))


def test_ytd_measure_compares_with_same_period_last_year():
    available = {(QUARTER, D(2015, 7, 1)): 3.1, (QUARTER, D(2014, 10, 1)): 4.0}
    assert choose_comparator(QUARTER, D(2015, 10, 1), "ytd", False, available) == (QUARTER, D(2014, 10, 1))


def test_seasonal_indicator_compares_with_same_month_last_year():
    available = {(MONTH, D(2015, 11, 1)): 1, (MONTH, D(2014, 12, 1)): 2}
    assert choose_comparator(MONTH, D(2015, 12, 1), "period", True, available) == (MONTH, D(2014, 12, 1))


def test_missing_comparator_is_none_not_a_fallback():
    available = {(MONTH, D(2015, 10, 1)): 10, (QUARTER, D(2015, 7, 1)): 30}
    assert choose_comparator(MONTH, D(2015, 12, 1), "period", False, available) is None


def test_comparator_with_none_value_is_missing():
    available = {(MONTH, D(2015, 11, 1)): None}
    assert choose_comparator(MONTH, D(2015, 12, 1), "period", False, available) is None


def test_available_may_be_a_set_of_keys():
    assert choose_comparator(MONTH, D(2015, 12, 1), "period", False, {(MONTH, D(2015, 11, 1))}) == (
        MONTH,
        D(2015, 11, 1),
    )


def test_comparator_key_clamps_leap_day():
    assert comparator_key(YEAR, D(2016, 2, 29), "period") == (YEAR, D(2015, 2, 28))


def test_unknown_period_kind_is_rejected():
    with pytest.raises(ValueError):
        comparator_key("week", D(2015, 12, 1), "period")


def test_different_period_kinds_are_not_comparable_unless_allowed():
    assert periods_comparable(QUARTER, QUARTER)
    assert not periods_comparable(QUARTER, YEAR)
    assert periods_comparable(QUARTER, YEAR, allow_cross_kind=True)


def test_consecutive_worsening_counts_the_latest_run():
    assert consecutive_worsening([BAD, BAD, GOOD, BAD, BAD]) == 2
    assert consecutive_worsening([BAD, BAD, SAME]) == 0
    assert consecutive_worsening([]) == 0
