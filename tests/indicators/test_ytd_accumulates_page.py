"""Issue 10 item 6 on the indicator page: an accumulating year-to-date rate is charted; a running rate says why not.

Before the fix a year-to-date percentage (council tax collected, RBN01) could not be marked as
accumulating and its page said "Not enough data for a variation chart" over every one of its points.
"""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Indicator, Result
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods

D = datetime.date
QUARTERS = [
    D(2014, 4, 1),
    D(2014, 7, 1),
    D(2014, 10, 1),
    D(2015, 1, 1),
    D(2015, 4, 1),
    D(2015, 7, 1),
    D(2015, 10, 1),
]
COLLECTED = [25, 50, 74, 97, 26, 50, 75]


def _indicator(org, reference, accumulates):
    indicator = Indicator.objects.create(
        reference=reference,
        title="% of council tax collected (YTD)",
        category="finance",
        unit="percentage",
        decimal_places=2,
        polarity="up_is_good",
        frequency="quarterly",
        measure_type="ytd",
        ytd_accumulates=accumulates,
        service=org["hr"],
    )
    periods = ensure_periods([("quarter", q) for q in QUARTERS])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("quarter", q)], value=Decimal(v), status="approved")
        for q, v in zip(QUARTERS, COLLECTED, strict=True)
    )
    recompute_assessments(indicator_ids=[indicator.id])
    return indicator


@pytest.mark.django_db
def test_accumulating_ytd_rate_gets_a_variation_chart(client, org, users):
    _indicator(org, "RBX01", True)
    client.force_login(users["hub"])
    response = client.get("/indicators/RBX01/")
    page = response.content.decode()
    assert "Not enough data for a variation chart" not in page
    assert "Common cause" in page
    traces = {t["name"] for t in response.context["page"].chart["data"]}
    assert "Added in the period" in traces


@pytest.mark.django_db
def test_running_rate_page_says_why_there_is_no_chart(client, org, users):
    _indicator(org, "RBX02", None)
    client.force_login(users["hub"])
    page = client.get("/indicators/RBX02/").content.decode()
    assert "Not enough data for a variation chart" not in page
    assert "No variation chart: this is a year-to-date rate whose base changes" in page


def test_the_demo_marks_council_tax_business_rates_and_waste_per_household_as_accumulating():
    from fixtures.demo import build_demo

    specs = {i.reference: i for i in build_demo().indicators}
    assert {ref for ref, s in specs.items() if s.ytd_accumulates} == {"RBN01", "RBN02", "WST01"}
