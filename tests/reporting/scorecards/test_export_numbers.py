"""Exported numbers are rounded as the page shows them, formatted by unit, and statutory is marked."""

import csv
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from indicators.formatting import rounded
from indicators.models import Assessment, Indicator
from reporting.exports import unit_number_format

pytestmark = pytest.mark.django_db
URL = "/scorecards/cmt/?period=fy2015-16"
NUMBERS = ["2013/14", "2014/15", "2015/16", "Latest", "Target", "Forecast"]
# reference: unit, decimal places, the result stored, its rounded value
CASES = {
    "GEN000": ("count", 0, "13804.5678", Decimal("13805")),
    "GEN002": ("percentage", 2, "84.2618", Decimal("84.26")),
    "GEN004": ("currency", 2, "-4.2512", Decimal("-4.25")),
    "GEN006": ("currency_thousands", 0, "110.4", Decimal("110")),
    "GEN008": ("days", 1, "6.4999", Decimal("6.5")),
}


@pytest.fixture
def cmt(client, users, scorecard_council):
    scorecard_council(12)
    for reference, (unit, places, value, _) in CASES.items():
        Indicator.objects.filter(reference=reference).update(unit=unit, decimal_places=places)
        Assessment.objects.filter(indicator__reference=reference).update(
            value=Decimal(value), target=Decimal(value), forecast_value=Decimal(value)
        )
    client.force_login(users["cmt"])
    return client


@pytest.mark.parametrize(
    "value,places,expected",
    [
        ("8580.8068", 0, "8581"),
        ("84.2618", 2, "84.26"),
        ("95.8", 2, "95.80"),
        ("227.0000", 0, "227"),
        ("2.5", 0, "3"),  # half away from zero, as every page, file and history rounds
        ("-0.001", 2, "0.00"),  # never "-0.00"
    ],
)
def test_rounded_to_decimal_places(value, places, expected):
    assert str(rounded(Decimal(value), places)) == expected
    assert rounded(None, places) is None


@pytest.mark.parametrize(
    "unit,places,expected",
    [
        ("percentage", 2, '#,##0.00"%"'),
        ("percentage", 0, '#,##0"%"'),
        ("currency", 2, '"£"#,##0.00'),
        ("currency_thousands", 0, '"£"#,##0"k"'),
        ("count", 0, "#,##0"),
        ("days", 1, "#,##0.0"),
        ("ratio", 3, "#,##0.000"),
    ],
)
def test_unit_number_format(unit, places, expected):
    assert unit_number_format(unit, places) == expected


def test_xlsx_numbers_are_rounded_numbers_formatted_by_unit(cmt):
    page_rows = {r.reference: r for r in cmt.get(URL).context["card"].rows}
    sheet = load_workbook(io.BytesIO(cmt.get(URL + "&format=xlsx").content)).active
    header_cells = next(r for r in sheet.iter_rows() if r[0].value == "Ref")
    columns = [c.value for c in header_cells]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=header_cells[0].row + 1) if r[1].value}
    for reference, (unit, places, _, expected) in CASES.items():
        row = rows[reference]
        checked = 0
        for name in NUMBERS:
            cell = row[columns.index(name)]
            if cell.value is None:
                continue
            checked += 1
            assert isinstance(cell.value, int | float), (reference, name)
            assert Decimal(str(cell.value)) == expected, (reference, name, cell.value)
            number_format = unit_number_format(unit, places)
            if name == "2015/16" and row[columns.index("2015/16 figure covers")].value != "Full year":
                # The year so far, marked with its period as the page marks it: 1,918 (Q3).
                cover = row[columns.index("2015/16 figure covers")].value
                number_format += f'" ({cover})"'
            assert cell.number_format == number_format, (reference, name)
        assert checked >= 4 and row[columns.index("Forecast")].value is not None  # 2015/16 and the rest
        # The page shows the same rounded figure.
        assert re.sub(r"[,£%k]", "", page_rows[reference].forecast_display) == f"{expected:.{places}f}"


def test_csv_numbers_are_rounded_to_decimal_places(cmt):
    rows = {r["Ref"]: r for r in csv.DictReader(io.StringIO(cmt.get(URL + "&format=csv").content.decode()))}
    for reference, (_, places, _, expected) in CASES.items():
        for name in ("Latest", "Target", "Forecast"):
            assert rows[reference][name] == f"{expected:.{places}f}", (reference, name)
    assert rows["GEN000"]["Forecast"] == "13805"
    assert rows["GEN002"]["Forecast"] == "84.26"
    assert rows["GEN004"]["Latest"] == "-4.25"  # a negative number, not neutralised text


def test_statutory_column_says_yes_for_statutory_returns_only(cmt):
    statutory = set(Indicator.objects.filter(statutory=True).values_list("reference", flat=True))
    assert statutory == {"GEN001", "GEN011"}
    rows = list(csv.DictReader(io.StringIO(cmt.get(URL + "&format=csv").content.decode())))
    assert {r["Ref"]: r["Statutory / single data list"] for r in rows} == {
        r["Ref"]: "Yes" if r["Ref"] in statutory else "" for r in rows
    }
    sheet = list(
        load_workbook(io.BytesIO(cmt.get(URL + "&format=xlsx").content)).active.iter_rows(values_only=True)
    )
    header = next(i for i, r in enumerate(sheet) if r and r[0] == "Ref")
    col = sheet[header].index("Statutory / single data list")
    marked = {r[0] for r in sheet[header + 1 :] if r[1] is not None and r[col] == "Yes"}
    assert marked == statutory
