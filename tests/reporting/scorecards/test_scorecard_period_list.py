"""Issue 10 items 1 and 8 on scorecards: periods up to the reporting date, opening on the latest reported one.

Before the fix a target for 2030/31 put that year at the head of every scorecard's period list,
and the scorecard opened on the unfinished 2015/16 instead of the latest period with results.
"""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Indicator, Result, Target
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar
from reporting.scorecards.scorecard import choose_period

D = datetime.date


@pytest.fixture
def council(org, users):
    ReportingCalendar.objects.create(id=1, as_of=D(2016, 1, 20))
    indicator = Indicator.objects.create(
        reference="CEO02",
        title="% of complaints answered in time",
        category="customer",
        unit="percentage",
        decimal_places=1,
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )
    keys = [
        ("month", D(2015, 11, 1)),
        ("month", D(2015, 12, 1)),
        ("year", D(2015, 4, 1)),
        ("year", D(2030, 4, 1)),
    ]
    periods = ensure_periods(keys)
    for key, value in zip(keys[:2], (88, 91), strict=True):
        Result.objects.create(
            indicator=indicator, period=periods[key], value=Decimal(value), status="approved"
        )
    Target.objects.create(indicator=indicator, period=periods[("year", D(2015, 4, 1))], value=Decimal(90))
    Target.objects.create(indicator=indicator, period=periods[("year", D(2030, 4, 1))], value=Decimal(95))
    recompute_assessments()
    return periods


@pytest.mark.django_db
def test_far_future_target_year_is_not_in_the_period_list_and_the_default_is_the_latest_ended(
    client, users, council
):
    client.force_login(users["cmt"])
    card = client.get("/scorecards/cmt/").context["card"]
    labels = [label for _, choices in card.period_options for _, label, _ in choices]
    assert "2030/31" not in labels
    assert "2015/16" in labels  # started by the reporting date: still choosable
    assert card.period.label == "Dec 2015"


def _period(kind, start, end, reported=False):
    class P:
        pass

    p = P()
    p.kind, p.start, p.end, p.key, p.label = kind, start, end, f"{kind}{start}", f"{kind} {start}"
    p.financial_year = 2015
    p.reported_at = datetime.datetime(2016, 1, 21) if reported else None
    return p


def test_default_prefers_the_latest_reported_period_and_the_scorecards_rhythm():
    year = _period("year", D(2015, 4, 1), D(2016, 3, 31))
    dec = _period("month", D(2015, 12, 1), D(2015, 12, 31), reported=True)
    q3 = _period("quarter", D(2015, 10, 1), D(2015, 12, 31), reported=True)
    jan = _period("month", D(2016, 1, 1), D(2016, 1, 31))
    periods = [jan, year, dec, q3]
    assert choose_period(None, periods, D(2016, 1, 20), "month")[0] is dec
    assert choose_period(None, periods, D(2016, 1, 20), "quarter")[0] is q3
    # Nothing reported yet: the latest period ended by the reporting date.
    nov = _period("month", D(2015, 11, 1), D(2015, 11, 30))
    assert choose_period(None, [year, nov], D(2016, 1, 20))[0] is nov
