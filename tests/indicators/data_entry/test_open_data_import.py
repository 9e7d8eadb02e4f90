"""Issue 10 item 17: results history from York's long open-data format, and the portal's own open data round-trips.

York publishes one row per indicator and year: Id, Indicator, Year ("2014/15"), Polarity, Total,
where Total is text and "-", "N/A" and "NC" mean no value. Before the fix the importer read only
the wide layouts and refused this file ("no Reference ID header" / every column unrecognised).
"""

import datetime
from decimal import Decimal

import pytest

from indicators.data_entry.services.imports import import_apply, import_preview
from indicators.models import Indicator, Result
from indicators.workbooks.parser import parse_sheets
from indicators.workbooks.reader import read_upload

YORK = (
    b"Id,Indicator,Year,Polarity,Total\n"
    b"CAN001,% of panel who agree they can influence decisions,2013/14,Up is Good,24.5\n"
    b"CAN001,% of panel who agree they can influence decisions,2014/15,Up is Good,NC\n"
    b"CAN001,% of panel who agree they can influence decisions,2015/16,Up is Good,27.1\n"
    b"PHOF22,Number of fixed penalty notices issued,2014/15,Up is Bad,-\n"
    b'PHOF22,Number of fixed penalty notices issued,2015/16,Up is Bad,"1,918"\n'
    b"PHOF22,Number of fixed penalty notices issued,2012/13,Up is Bad,N/A\n"
)


def _parse(data: bytes):
    return parse_sheets(read_upload("york.csv", data, max_bytes=10**7, max_rows=10**5))


def test_long_format_is_read_one_row_per_indicator_and_year():
    parsed = _parse(YORK)
    assert parsed.layout == "open_data"
    assert parsed.skipped == 3  # NC, - and N/A
    assert parsed.rejected == []
    rows = {r.reference: r for r in parsed.rows}
    assert [(v.period, v.value) for v in rows["CAN001"].values] == [
        (("year", datetime.date(2013, 4, 1)), Decimal("24.5")),
        (("year", datetime.date(2015, 4, 1)), Decimal("27.1")),
    ]
    assert rows["PHOF22"].polarity == "up_is_bad"
    assert rows["PHOF22"].values[0].value == Decimal(1918)


def test_period_in_place_of_year_with_quarters_and_months():
    data = b"Id,Indicator,Period,Polarity,Total\nABC01,Calls,Q3 2015/16,Neutral,12\nABC01,Calls,Dec 2015,Neutral,4\n"
    parsed = _parse(data)
    assert [v.period for v in parsed.rows[0].values] == [
        ("quarter", datetime.date(2015, 10, 1)),
        ("month", datetime.date(2015, 12, 1)),
    ]


def test_a_bad_period_or_total_is_rejected_with_where_and_why():
    data = b"Id,Indicator,Year,Polarity,Total\nABC01,Calls,someday,Neutral,12\nABC01,Calls,2014/15,Neutral,lots\n"
    parsed = _parse(data)
    assert [r["column"] for r in parsed.rejected] == ["C", "E"]
    assert parsed.rows == []


@pytest.mark.django_db
def test_preview_counts_the_skipped_non_values_then_confirm_imports(client, users):
    batch = import_preview(user=users["hub"], filename="york.csv", data=YORK)
    assert batch.plan["skipped_non_values"] == 3
    assert {c["reference"] for c in batch.plan["create_indicators"]} == {"CAN001", "PHOF22"}
    assert len(batch.plan["writes"]) == 3
    client.force_login(users["hub"])
    page = client.get(f"/imports/{batch.id}/").content.decode()
    assert "3 rows with no value (“-”, “N/A” or “NC”) skipped" in page
    import_apply(user=users["hub"], batch=batch)
    assert Indicator.objects.get(reference="PHOF22").polarity == "up_is_bad"
    assert Result.objects.get(indicator__reference="PHOF22").value == Decimal(1918)


@pytest.mark.django_db
def test_the_portals_own_open_data_reimports_into_an_empty_portal_unchanged(client, users, org):
    from indicators.services.assessments import recompute_assessments
    from indicators.services.periods import ensure_periods

    source = Indicator.objects.create(
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
    months = [datetime.date(2015, m, 1) for m in (10, 11, 12)]
    periods = ensure_periods([("month", m) for m in months])
    for month, value in zip(months, ("88.5", "91", "79.2"), strict=True):
        Result.objects.create(
            indicator=source, period=periods[("month", month)], value=Decimal(value), status="approved"
        )
    recompute_assessments()
    exported = client.get("/public/open-data.csv").content
    before = {(r.period.label, r.value) for r in Result.objects.filter(indicator=source)}
    Indicator.objects.all().delete()  # an empty portal
    assert not Result.objects.exists()

    batch = import_preview(user=users["hub"], filename="open-data.csv", data=exported)
    assert batch.plan["rejected"] == []
    import_apply(user=users["hub"], batch=batch)
    imported = Indicator.objects.get(reference="CEO02")
    assert imported.polarity == "up_is_good"
    assert {(r.period.label, r.value) for r in Result.objects.filter(indicator=imported)} == before
    # Importing it again changes nothing.
    again = import_preview(user=users["hub"], filename="open-data.csv", data=exported)
    assert again.plan["writes"] == [] and again.plan["unchanged_count"] == 3
