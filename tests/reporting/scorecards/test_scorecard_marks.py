"""Statutory returns marked and filterable, the in-year column as Table 3.3 prints it, and a
scoped user told what their scorecard leaves out."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator, Result
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from organisation.models import Service
from reporting.scorecards import scorecard, short_period_label

pytestmark = pytest.mark.django_db
CMT = "/scorecards/cmt/"


def references(html: str) -> list[str]:
    return re.findall(r'data-reference="([^"]+)"', html)


@pytest.fixture
def council(scorecard_council):
    return scorecard_council(12)  # GEN001 and GEN011 are statutory (and not "Include")


def test_statutory_indicators_are_marked_counted_and_filterable(client, users, council):
    client.force_login(users["cmt"])
    response = client.get(CMT)
    html = response.content.decode()
    assert html.count("Statutory / single data list</strong>") == 2
    statutory = next(p for p in response.context["panels"] if p["name"] == "statutory")
    assert statutory["counts"][0]["count"] == 2
    assert statutory["counts"][0]["url"] == "?statutory=yes"

    filtered = client.get(CMT + "?statutory=yes")
    assert sorted(references(filtered.content.decode())) == ["GEN001", "GEN011"]
    assert filtered.context["card"].shown == 2 and filtered.context["card"].total == 12


def test_a_scorecard_without_statutory_indicators_has_no_statutory_panel(client, users, council):
    Indicator.objects.update(statutory=False, on_scorecard=True)
    client.force_login(users["cmt"])
    panels = client.get(CMT).context["panels"]
    assert [p["name"] for p in panels] == ["rag", "direction", "variation"]


def test_unknown_statutory_value_is_a_notice_not_a_500(client, users, council):
    client.force_login(users["cmt"])
    response = client.get(CMT + "?statutory=%3Cb%3Emaybe")
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a statutory return choice this scorecard can filter by" in html
    assert "<b>maybe" not in html
    assert len(references(html)) == 12


def test_short_period_labels():
    assert short_period_label("quarter", "Q3 2015/16") == "Q3"
    assert short_period_label("month", "Dec 2015") == "Dec"
    assert short_period_label("year", "2015/16") == "2015/16"


def test_year_column_shows_the_year_so_far_marked_with_its_period(client, users, org):
    indicator = Indicator.objects.create(
        reference="CALLS",
        title="Calls received",
        category="performance",
        unit="count",
        polarity="neutral",
        frequency="quarterly",
        measure_type="period",
        service=org["hr"],
        on_scorecard=True,
    )
    values = {
        ("year", datetime.date(2014, 4, 1)): 13805,
        ("quarter", datetime.date(2015, 4, 1)): 2100,
        ("quarter", datetime.date(2015, 10, 1)): 1918,
        ("quarter", datetime.date(2014, 10, 1)): 3000,  # in 2014/15, which has a year result
    }
    periods = ensure_periods(list(values))
    for key, value in values.items():
        Result.objects.create(
            indicator=indicator, period=periods[key], value=Decimal(value), status="approved"
        )
    ensure_periods([("year", datetime.date(2015, 4, 1))])
    recompute_assessments()

    row = scorecard(users["director"], "directorate", "oce", period="fy2015-16").rows[0]
    assert row.years_display == ["—", "13,805", "1,918 (Q3)"]
    assert row.years == [None, Decimal(13805), Decimal(1918)]
    assert row.years_notes == ["", "", "Q3"]
    # The files keep the number a number and say what it covers.
    client.force_login(users["director"])
    url = "/scorecards/directorate/oce/?period=fy2015-16&format="
    record = next(csv.DictReader(io.StringIO(client.get(url + "csv").content.decode())))
    assert (record["2015/16"], record["2014/15"], record["2015/16 figure covers"]) == ("1918", "13805", "Q3")
    sheet = load_workbook(io.BytesIO(client.get(url + "xlsx").content)).active
    header = next(r for r in sheet.iter_rows() if r[0].value == "Ref")
    columns = [c.value for c in header]
    cells = next(r for r in sheet.iter_rows() if r[0].value == "CALLS")
    assert cells[columns.index("2015/16")].value == 1918
    assert cells[columns.index("2015/16")].number_format == '#,##0" (Q3)"'
    assert cells[columns.index("2014/15")].number_format == "#,##0"
    # As at Q2 the year so far ends in Q1: the column never shows a later result.
    ensure_periods([("quarter", datetime.date(2015, 7, 1))])
    row = scorecard(users["director"], "directorate", "oce", period="fy2015-16-q2").rows[0]
    assert row.years_display[2] == "2,100 (Q1)"


def test_a_scoped_user_is_told_how_many_indicators_are_outside_their_scope(client, users, org, council):
    finance = Service.objects.create(directorate=org["oce"], name="Finance", slug="finance")
    Indicator.objects.filter(reference="GEN005").update(service=finance)  # an OCE indicator outside HR
    client.force_login(users["officer"])  # an HR officer: sees HR's indicators and published ones
    card = client.get("/scorecards/directorate/oce/").context["card"]
    visible = {r.reference for r in card.rows}
    assert "GEN005" not in visible
    hidden = 1
    assert card.notices == [
        f"You see {len(visible)} of this scorecard's {len(visible) + hidden} indicators: "
        f"the other {hidden} is outside your role's scope."
    ]

    client.force_login(users["director"])  # sees the whole directorate: no notice
    assert client.get("/scorecards/directorate/oce/").context["card"].notices == []
