"""The clinic suggestion rules (clinics.rules), on plain rows."""

import datetime

from clinics.rules import (
    FORECAST_RED_TWO_QUARTERS,
    RED_AND_WORSENING,
    SPECIAL_CAUSE_CONCERNING,
    Point,
    forecast_red_in_consecutive_quarters,
    suggestion_reasons,
)

D = datetime.date


def month(m, y=2015, rag="green", direction="good", variation="common_cause", forecast_rag="green"):
    return Point(D(y, m, 1), rag, direction, variation, forecast_rag)


def test_red_and_worsening_two_periods_in_a_row_suggests_a_clinic():
    points = [month(9), month(10, rag="red", direction="bad"), month(11, rag="red", direction="bad")]
    assert suggestion_reasons(points) == [RED_AND_WORSENING]


def test_one_red_worsening_period_is_not_enough():
    points = [month(10, rag="amber", direction="bad"), month(11, rag="red", direction="bad")]
    assert suggestion_reasons(points) == []


def test_red_but_improving_breaks_the_run():
    points = [
        month(9, rag="red", direction="bad"),
        month(10, rag="red", direction="good"),
        month(11, rag="red", direction="bad"),
    ]
    assert suggestion_reasons(points) == []


def test_the_run_must_end_at_the_latest_period():
    points = [month(9, rag="red", direction="bad"), month(10, rag="red", direction="bad"), month(11)]
    assert suggestion_reasons(points) == []


def test_special_cause_concerning_at_the_latest_point():
    assert suggestion_reasons([month(10), month(11, variation="special_concerning")]) == [
        SPECIAL_CAUSE_CONCERNING
    ]
    assert suggestion_reasons([month(10, variation="special_concerning"), month(11)]) == []


def test_forecast_red_at_the_end_of_two_consecutive_quarters():
    # Q2 (Jul–Sep) ends red, Q3 (Oct–Dec) so far red: suggested.
    points = [
        month(8),
        month(9, forecast_rag="red"),
        month(10, forecast_rag="red"),
        month(11, forecast_rag="red"),
    ]
    assert forecast_red_in_consecutive_quarters(points)
    assert suggestion_reasons(points) == [FORECAST_RED_TWO_QUARTERS]


def test_forecast_red_only_within_one_quarter_is_not_enough():
    points = [
        month(9),
        month(10, forecast_rag="red"),
        month(11, forecast_rag="red"),
        month(12, forecast_rag="red"),
    ]
    assert not forecast_red_in_consecutive_quarters(points)


def test_the_quarters_last_forecast_counts_not_an_earlier_one():
    # Q2's July forecast was red but its September one green: Q2 does not count.
    points = [month(7, forecast_rag="red"), month(9), month(10, forecast_rag="red")]
    assert not forecast_red_in_consecutive_quarters(points)


def test_quarters_across_financial_years_are_not_consecutive_for_the_year_forecast():
    points = [
        Point(D(2015, 1, 1), "green", "good", "", "red"),
        Point(D(2015, 4, 1), "green", "good", "", "red"),
    ]
    assert not forecast_red_in_consecutive_quarters(points)


def test_quarterly_indicator_two_red_forecasts():
    points = [
        Point(D(2015, 4, 1), "green", "good", "", "red"),
        Point(D(2015, 7, 1), "green", "good", "", "red"),
    ]
    assert forecast_red_in_consecutive_quarters(points)


def test_every_rule_at_once_in_a_fixed_order():
    points = [
        month(9, rag="red", direction="bad", forecast_rag="red"),
        month(10, rag="red", direction="bad", variation="special_concerning", forecast_rag="red"),
    ]
    assert suggestion_reasons(points) == [
        RED_AND_WORSENING,
        SPECIAL_CAUSE_CONCERNING,
        FORECAST_RED_TWO_QUARTERS,
    ]


def test_no_points_no_reasons():
    assert suggestion_reasons([]) == []
