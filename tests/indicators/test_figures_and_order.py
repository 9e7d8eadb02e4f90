"""Issue 10 items 7 and 8 on the indicator page: figures by unit and decimal places; periods by their end.

Before the fix a one-decimal percentage showed "85.7000 → 85.7000" and targets "5.5000", and the
results table put the year between April and May ("Apr 2012, 2012/13, May 2012").
"""

import datetime
from decimal import Decimal

import pytest

from indicators.data_entry.services.exports import export_results_rows
from indicators.models import Indicator, Result, Target
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods

D = datetime.date
MONTHS = [D(2012, 4, 1), D(2012, 5, 1), D(2013, 3, 1)]


@pytest.fixture
def rate(org):
    indicator = Indicator.objects.create(
        reference="CEO02",
        title="% of complaints answered in time",
        category="customer",
        unit="percentage",
        decimal_places=1,
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
        published=True,
    )
    keys = [("month", m) for m in MONTHS] + [("year", D(2012, 4, 1))]
    periods = ensure_periods(keys)
    for key, value in zip(keys, ("85.7", "85.7", "1234.5", "86.25"), strict=True):
        Result.objects.create(
            indicator=indicator, period=periods[key], value=Decimal(value), status="approved"
        )
    Target.objects.create(indicator=indicator, period=periods[("year", D(2012, 4, 1))], value=Decimal("5.5"))
    recompute_assessments()
    return indicator


@pytest.mark.django_db
def test_page_figures_go_through_the_formatter(client, users, rate):
    client.force_login(users["hub"])
    page = client.get("/indicators/CEO02/").content.decode()
    assert "85.7000" not in page
    assert "5.5000" not in page
    assert "5.5%" in page
    assert "1,234.5%" in page
    assert "86.3%" in page  # 86.25 to one place, half away from zero


@pytest.mark.django_db
def test_results_table_orders_periods_by_end_with_the_year_after_its_last_month(client, users, rate):
    client.force_login(users["hub"])
    rows = client.get("/indicators/CEO02/").context["page"].rows
    assert [r.period_label for r in rows] == ["Apr 2012", "May 2012", "Mar 2013", "2012/13"]


@pytest.mark.django_db
def test_results_export_orders_periods_by_end(users, rate):
    rows, _ = export_results_rows(users["hub"], period=None, reference=None)
    header = " | ".join(str(cell) for cell in rows[0])
    assert (
        header.index("2012/13")
        > header.index("Mar 2013")
        > header.index("May 2012")
        > header.index("Apr 2012")
    )
