"""Year-end forecasts: hand-worked run rate and seasonal profile, sanity for the models."""

import math
import warnings
from decimal import Decimal
from itertools import accumulate

import pytest

from indicators.analytics.constants import (
    AMBER,
    FORECAST_HOLT_WINTERS,
    FORECAST_LINEAR_TREND,
    FORECAST_METHOD_LABELS,
    FORECAST_RUN_RATE,
    FORECAST_SEASONAL_PROFILE,
    FORECAST_YEAR_COMPLETE,
    GREEN,
    NO_RAG,
    RED,
    UP_IS_BAD,
    UP_IS_GOOD,
)
from indicators.analytics.forecast import forecast_rag, forecast_year_end

LAST_YEAR = [10, 10, 10, 20, 20, 20, 30, 30, 30, 40, 40, 40]  # total 300


# --- run rate ------------------------------------------------------------------------------


def test_run_rate_for_additive_period_measure():
    # 100 + 120 + 110 = 330 in 3 months: pace 110 a month, x 12 = 1320.
    # Monthly residuals -10, +10, 0: sigma 10; 9 months to come: 1.96 x 10 x 3 = 58.8.
    result = forecast_year_end([100, 120, 110], "period", additive=True)
    assert result.method == FORECAST_RUN_RATE
    assert result.value == pytest.approx(1320)
    assert result.low == pytest.approx(1320 - 58.8)
    assert result.high == pytest.approx(1320 + 58.8)
    assert result.inputs["monthly_pace"] == pytest.approx(110)


def test_run_rate_for_cumulative_ytd_measure_uses_latest_value():
    # Sickness days per FTE, YTD: 6.0 after 3 months -> 6.0 x 12 / 3 = 24.
    # Increments 2.0, 2.5, 1.5 around the pace of 2: sigma 0.5.
    result = forecast_year_end([2.0, 4.5, 6.0], "ytd", additive=True)
    assert result.value == pytest.approx(24)
    assert result.inputs["sigma"] == pytest.approx(0.5)


def test_run_rate_for_ytd_with_a_gap_still_uses_the_latest_cumulative_value():
    result = forecast_year_end([2.0, None, 6.0], "ytd", additive=True)
    assert result.value == pytest.approx(24)
    assert result.low is None  # no consecutive months to estimate monthly noise


def test_run_rate_for_period_measure_with_a_missing_month_uses_the_months_it_has():
    result = forecast_year_end([100, None, 110], "period", additive=True)
    assert result.value == pytest.approx(105 * 12)
    assert result.inputs["months_ahead"] == 10


def test_run_rate_for_non_additive_measure_carries_the_latest_value_forward():
    result = forecast_year_end([95.0], "period", additive=False)
    assert result.method == FORECAST_RUN_RATE
    assert result.value == 95.0


# --- seasonal profile ------------------------------------------------------------------------


def test_seasonal_profile_scales_ytd_by_last_years_share():
    # Last year Apr-Jun was 30 of 300 (10 %); this year Apr-Jun is 36 -> 360.
    # Each month is exactly last year's x 1.2, so the residuals and the range are zero.
    result = forecast_year_end([12, 12, 12], "period", additive=True, last_year=LAST_YEAR)
    assert result.method == FORECAST_SEASONAL_PROFILE
    assert result.value == pytest.approx(360)
    assert result.inputs["share_of_year"] == pytest.approx(0.1)
    assert result.low == pytest.approx(360)
    assert result.high == pytest.approx(360)


def test_seasonal_profile_beats_run_rate_for_a_seasonal_measure():
    # Run rate would say 36 x 4 = 144; last year's shape says most of the year is still to come.
    run_rate = forecast_year_end([12, 12, 12], "period", True, LAST_YEAR, method=FORECAST_RUN_RATE)
    assert run_rate.value == pytest.approx(144)


def test_seasonal_profile_for_cumulative_ytd_measure():
    last_year_cumulative = list(accumulate(LAST_YEAR))
    result = forecast_year_end([12, 24, 36, 60], "ytd", additive=True, last_year=last_year_cumulative)
    # Apr-Jul last year: 10+10+10+20 = 50 of 300 -> 60 / (50/300) = 360.
    assert result.method == FORECAST_SEASONAL_PROFILE
    assert result.value == pytest.approx(360)


def test_seasonal_profile_residual_range_by_hand():
    # 11, 13 against last year's 10, 10: ytd 24 over 20 -> 24 / (20/300) = 360.
    # Scale 1.2: expected 12, 12 -> residuals -1, +1, sigma sqrt(2); 10 months to come.
    result = forecast_year_end([11, 13], "period", additive=True, last_year=LAST_YEAR)
    assert result.value == pytest.approx(360)
    half = 1.96 * math.sqrt(2) * math.sqrt(10)
    assert result.high - result.value == pytest.approx(half)


def test_incomplete_last_year_falls_back_to_run_rate():
    result = forecast_year_end([12, 12, 12], "period", True, last_year=LAST_YEAR[:11] + [None])
    assert result.method == FORECAST_RUN_RATE


def test_forcing_seasonal_profile_without_last_year_is_an_error():
    with pytest.raises(ValueError):
        forecast_year_end([12], "period", True, method=FORECAST_SEASONAL_PROFILE)
    with pytest.raises(ValueError):
        forecast_year_end([12], "period", False, LAST_YEAR, method=FORECAST_SEASONAL_PROFILE)


# --- linear trend -------------------------------------------------------------------------------


def test_linear_trend_on_a_straight_line_forecasts_march_exactly():
    # 10, 12, 14, 16 for Apr-Jul: March (month index 11) = 10 + 2 x 11 = 32.
    result = forecast_year_end([10, 12, 14, 16], "period", additive=False)
    assert result.method == FORECAST_LINEAR_TREND
    assert result.value == pytest.approx(32)
    assert result.high == pytest.approx(32)  # zero residuals


def test_linear_trend_uses_the_last_year_of_history():
    history = [10 + 2 * t for t in range(-12, 0)]
    result = forecast_year_end([10, 12], "period", additive=False, history=history)
    assert result.value == pytest.approx(32)
    assert result.inputs["points"] == 14


def test_linear_trend_for_additive_measure_sums_the_remaining_months():
    # Months 10, 12, 14, 16 continue to 32 in March: 10 + 12 + ... + 32 = 12 x 21 = 252.
    result = forecast_year_end([10, 12, 14, 16], "period", True, method=FORECAST_LINEAR_TREND)
    assert result.value == pytest.approx(252)


def test_linear_trend_needs_two_points():
    with pytest.raises(ValueError):
        forecast_year_end([10], "period", False, method=FORECAST_LINEAR_TREND)


# --- Holt-Winters ------------------------------------------------------------------------------

SEASON = [5, 8, 12, 6, 0, -4, -9, -6, -3, 0, 2, -11]  # sums to 0


def _seasonal_series(months: int, level: float = 100, slope: float = 0.5):
    return [level + slope * t + SEASON[t % 12] for t in range(months)]


def test_holt_winters_on_a_perfectly_seasonal_series_forecasts_close_to_truth(capsys):
    full = _seasonal_series(48)  # history is 3 years (from an April), this year is the 4th
    history, this_year = full[:36], full[36:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = forecast_year_end(this_year[:6], "period", True, history[-12:], history)
    assert result.method == FORECAST_HOLT_WINTERS
    assert result.value == pytest.approx(sum(this_year), rel=0.01)
    assert result.low <= result.value <= result.high
    assert caught == []
    assert capsys.readouterr().out == ""


def test_holt_winters_for_a_rate_forecasts_march():
    full = _seasonal_series(48, level=50, slope=0.1)
    result = forecast_year_end(full[36:40], "period", False, history=full[:36])
    assert result.method == FORECAST_HOLT_WINTERS
    assert result.value == pytest.approx(full[47], rel=0.02)


def test_holt_winters_for_cumulative_ytd_measure_works_on_monthly_increments():
    monthly = _seasonal_series(48)
    cumulative = []
    for year in range(4):
        cumulative += list(accumulate(monthly[12 * year : 12 * year + 12]))
    result = forecast_year_end(cumulative[36:42], "ytd", True, cumulative[24:36], cumulative[:36])
    assert result.method == FORECAST_HOLT_WINTERS
    assert result.value == pytest.approx(sum(monthly[36:]), rel=0.01)


def test_holt_winters_is_not_chosen_for_a_short_or_gappy_series():
    full = _seasonal_series(40)
    assert forecast_year_end(full[24:27], "period", True, full[12:24], full[:23]).method != (
        FORECAST_HOLT_WINTERS
    )
    gappy = full[:24] + [None] + full[25:36]
    assert forecast_year_end(full[36:], "period", True, full[24:36], gappy).method != FORECAST_HOLT_WINTERS
    with pytest.raises(ValueError):
        forecast_year_end(full[36:], "period", True, history=gappy, method=FORECAST_HOLT_WINTERS)


# --- edges ----------------------------------------------------------------------------------------


def test_complete_year_is_the_actual_outturn():
    result = forecast_year_end(LAST_YEAR, "period", additive=True)
    assert result.method == FORECAST_YEAR_COMPLETE
    assert result.value == result.low == result.high == 300
    assert forecast_year_end(list(range(12)), "snapshot", additive=False).value == 11


def test_no_months_gives_no_forecast():
    assert forecast_year_end([], "period", True, LAST_YEAR) is None
    assert forecast_year_end([None, None], "period", True) is None


def test_decimals_are_accepted():
    result = forecast_year_end([Decimal("100.5"), Decimal("99.5")], "period", True)
    assert result.value == pytest.approx(1200)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError):
        forecast_year_end([1, 2], "period", True, method="crystal_ball")


def test_every_method_has_a_label():
    for method in (
        FORECAST_RUN_RATE,
        FORECAST_SEASONAL_PROFILE,
        FORECAST_HOLT_WINTERS,
        FORECAST_LINEAR_TREND,
    ):
        assert method in FORECAST_METHOD_LABELS


# --- forecast RAG ----------------------------------------------------------------------------------


def test_forecast_rag_uses_the_rag_rule_against_the_annual_target():
    assert forecast_rag(1320, 1300, UP_IS_GOOD) == GREEN
    assert forecast_rag(1320, 1300, UP_IS_BAD) == AMBER  # within 5 % (65) of 1300
    assert forecast_rag(1366, 1300, UP_IS_BAD) == RED
    assert forecast_rag(1320, None, UP_IS_GOOD) == NO_RAG
    assert forecast_rag(None, 1300, UP_IS_GOOD) is None
