"""Assessing a whole series: which target applies, comparators, and the latest point."""

import datetime
from decimal import Decimal

from indicators.analytics.series import IndicatorRules, SeriesPoint, assess_series


def year(y: int, value: str) -> SeriesPoint:
    return SeriesPoint("year", datetime.date(y, 4, 1), datetime.date(y + 1, 3, 31), Decimal(value))


def quarter(y: int, month: int, value: str) -> SeriesPoint:
    start = datetime.date(y, month, 1)
    end = {4: (6, 30), 7: (9, 30), 10: (12, 31), 1: (3, 31)}[month]
    return SeriesPoint("quarter", start, datetime.date(y, *end), Decimal(value))


def month(y: int, m: int, value: str) -> SeriesPoint:
    nxt = datetime.date(y + (m == 12), m % 12 + 1, 1)
    return SeriesPoint("month", datetime.date(y, m, 1), nxt - datetime.timedelta(days=1), Decimal(value))


def test_stf15_ytd_compares_with_the_same_period_a_year_earlier():
    rules = IndicatorRules(polarity="up_is_bad", frequency="annual", measure_type="ytd", unit="days")
    points = [year(2013, "4.2"), year(2014, "6.4"), year(2015, "6.5")]
    targets = {("year", datetime.date(2015, 4, 1)): Decimal(6)}
    latest = assess_series(points, targets, rules)[-1]
    assert latest.is_latest
    assert (latest.comparator, latest.comparator_value) == (
        ("year", datetime.date(2014, 4, 1)),
        Decimal("6.4"),
    )
    assert (latest.direction, latest.rag) == ("bad", "red")


def test_bpi107_forecast_outturn_compares_across_period_kinds():
    rules = IndicatorRules(
        polarity="up_is_bad", frequency="quarterly", measure_type="snapshot", compare_across_period_kinds=True
    )
    points = [year(2013, "-4"), year(2014, "8"), quarter(2015, 10, "110")]
    assessed = {a.key: a for a in assess_series(points, {}, rules)}
    q3 = assessed[("quarter", datetime.date(2015, 10, 1))]
    assert q3.is_latest and q3.comparator == ("year", datetime.date(2014, 4, 1)) and q3.direction == "bad"
    assert assessed[("year", datetime.date(2014, 4, 1))].direction == "bad"  # -4 → 8, up is bad


def test_without_cross_kind_permission_a_quarter_is_not_compared_with_a_year():
    rules = IndicatorRules(polarity="up_is_good", frequency="quarterly")
    points = [year(2014, "95.79"), quarter(2015, 10, "98.20")]
    latest = assess_series(points, {}, rules)[-1]
    assert latest.direction == "na" and latest.comparator is None


def test_annual_target_judges_months_of_a_rate_but_not_of_a_count_or_ytd():
    target = {("year", datetime.date(2015, 4, 1)): Decimal(90)}
    point = [month(2015, 5, "80")]
    rate = IndicatorRules(polarity="up_is_good", unit="percentage")
    count = IndicatorRules(polarity="up_is_good", unit="count")
    ytd_rate = IndicatorRules(polarity="up_is_good", unit="percentage", measure_type="ytd")
    assert assess_series(point, target, rate)[0].rag == "red"
    assert assess_series(point, target, count)[0].rag == "none"
    assert assess_series(point, target, ytd_rate)[0].rag == "none"


def test_latest_prefers_own_frequency_on_a_tie():
    rules = IndicatorRules(polarity="up_is_good", frequency="monthly")
    points = [month(2016, 3, "5"), quarter(2016, 1, "15"), year(2015, "60")]
    latest = [a for a in assess_series(points, {}, rules) if a.is_latest]
    assert [a.key for a in latest] == [("month", datetime.date(2016, 3, 1))]


def test_empty_series_assesses_nothing():
    assert assess_series([], {}, IndicatorRules(polarity="neutral")) == []
