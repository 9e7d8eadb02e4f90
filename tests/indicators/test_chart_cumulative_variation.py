"""A cumulative year-to-date amount's variation is drawn in the terms it is computed in.

The XmR limits of an additive year-to-date measure are those of the amount added in each period
(indicators.analytics.bulk), so the chart draws them, the centre line and any special-cause
markers on a second panel of those amounts, never over the running totals.
"""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Indicator, Result
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db

# Apprenticeships started, year to date, by quarter over two years: 12, 27, 41, 55 then 10, 24, 39, 52.
CUMULATIVE = [12, 27, 41, 55, 10, 24, 39, 52]
ADDED = [12, 15, 14, 14, 10, 14, 15, 13]


def _quarters():
    return [datetime.date(2014 + (3 + 3 * i) // 12, (3 + 3 * i) % 12 + 1, 1) for i in range(8)]


@pytest.fixture
def apprenticeships(org):
    indicator = Indicator.objects.create(
        reference="HRX01",
        title="Apprenticeships started (YTD)",
        category="workforce",
        unit="count",
        polarity="up_is_good",
        frequency="quarterly",
        measure_type="ytd",
        service=org["hr"],
    )
    periods = ensure_periods([("quarter", q) for q in _quarters()])
    for start, value in zip(_quarters(), CUMULATIVE, strict=True):
        Result.objects.create(
            indicator=indicator, period=periods[("quarter", start)], value=Decimal(value), status="approved"
        )
    recompute_assessments()
    return indicator


def _traces(client, user, indicator):
    client.force_login(user)
    chart = client.get(indicator.get_absolute_url()).context["page"].chart
    return {t["name"]: t for t in chart["data"]}, chart["layout"]


def test_limits_are_on_a_panel_of_the_amounts_added(client, users, apprenticeships):
    traces, layout = _traces(client, users["hub"], apprenticeships)
    assert traces["Actual"]["y"] == CUMULATIVE and "yaxis" not in traces["Actual"]
    assert traces["Added in the period"]["y"] == ADDED
    assert traces["Added in the period"]["yaxis"] == "y2"
    for name in ("Centre line (mean)", "Upper process limit", "Lower process limit"):
        assert traces[name]["yaxis"] == "y2", name
    assert traces["Centre line (mean)"]["y"][0] == pytest.approx(sum(ADDED) / len(ADDED))
    assert layout["yaxis2"]["domain"] == [0, 0.3] and layout["xaxis"] == {"type": "date", "anchor": "y2"}


def test_a_gap_leaves_that_period_off_the_added_panel(client, users, apprenticeships):
    Result.objects.filter(indicator=apprenticeships, period__start=datetime.date(2014, 10, 1)).delete()
    recompute_assessments()
    traces, _ = _traces(client, users["hub"], apprenticeships)
    # Q3 2014/15 is missing, so Q4's addition is unknown too; the other points stay.
    assert traces["Added in the period"]["y"] == [12, 15, 10, 14, 15, 13]


def test_a_level_measure_keeps_its_limits_on_the_results(client, users, apprenticeships):
    Indicator.objects.filter(id=apprenticeships.id).update(measure_type="period", unit="percentage")
    recompute_assessments()
    traces, layout = _traces(client, users["hub"], apprenticeships)
    assert "Added in the period" not in traces and "yaxis2" not in layout
    assert "yaxis" not in traces["Centre line (mean)"]
