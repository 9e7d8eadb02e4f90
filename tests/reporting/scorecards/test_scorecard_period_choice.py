"""Which assessment a row shows as at a period: the exact period, else the period of the
indicator's own kind that ends with it, else its latest assessment ending by then.

The first two are found by a join and an index look-up, the last by a sorted subquery; each
branch is checked here, since the CMT scorecard's speed at 1,000 indicators rests on the
cheap ones being taken first without changing what a row shows.
"""

import datetime

import pytest

from indicators.models import Indicator, Result
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from reporting.scorecards import build_rows

pytestmark = pytest.mark.django_db

YEAR = datetime.date(2015, 4, 1)


def _indicator(org, reference: str, frequency: str) -> Indicator:
    return Indicator.objects.create(
        reference=reference,
        title=reference,
        category="performance",
        unit="count",
        polarity="up_is_good",
        frequency=frequency,
        measure_type="period",
        service=org["hr"],
    )


def _results(indicator, values: dict[tuple[str, datetime.date], int]) -> None:
    periods = ensure_periods(list(values))
    for key, value in values.items():
        Result.objects.create(indicator=indicator, period=periods[key], value=value, status="approved")


@pytest.fixture
def council(org):
    monthly = _indicator(org, "MON", "monthly")
    _results(monthly, {("month", datetime.date(2016, m, 1)): m for m in (1, 2, 3)})
    gap = _indicator(org, "GAP", "monthly")  # no March: the year shows February
    _results(gap, {("month", datetime.date(2016, m, 1)): m for m in (1, 2)})
    quarterly = _indicator(org, "QTR", "quarterly")
    _results(
        quarterly, {("quarter", datetime.date(2015, 10, 1)): 30, ("quarter", datetime.date(2016, 1, 1)): 40}
    )
    with_year = _indicator(org, "YRS", "monthly")  # a year result outranks March
    _results(with_year, {("month", datetime.date(2016, 3, 1)): 3, ("year", YEAR): 99})
    recompute_assessments()
    return ensure_periods([("year", YEAR), ("month", datetime.date(2016, 2, 1))])


def _shown(period) -> dict[str, str]:
    rows, _ = build_rows(Indicator.objects.all(), period, datetime.date(2016, 4, 20))
    return {r.reference: (r.period_label, r.value_display) for r in rows}


def test_year_scorecard_takes_exact_then_own_kind_ending_with_it_then_latest(council):
    shown = _shown(council[("year", YEAR)])
    assert shown == {
        "MON": ("Mar 2016", "3"),
        "GAP": ("Feb 2016", "2"),
        "QTR": ("Q4 2015/16", "40"),
        "YRS": ("2015/16", "99"),
    }


def test_month_scorecard_never_shows_a_later_period(council):
    shown = _shown(council[("month", datetime.date(2016, 2, 1))])
    assert shown["MON"] == ("Feb 2016", "2")
    assert shown["QTR"] == ("Q3 2015/16", "30")  # no quarter ends in February: the latest by then
    assert shown["YRS"] == ("", "—")  # nothing had ended by February but March and the year
