"""Exports: .xlsx like Table 3.3 (RAG in words and fill), CSV, and formula-injection guard."""

import csv
import io

import pytest
from openpyxl import load_workbook

from indicators.models import Indicator
from reporting.exports import neutralise

pytestmark = pytest.mark.django_db
CMT = "/scorecards/cmt/"


@pytest.fixture
def cmt_client(client, users, scorecard_council):
    scorecard_council(12)
    client.force_login(users["cmt"])
    return client


def sheet_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.mark.parametrize(
    "text,expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+44 1904", "'+44 1904"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Calls answered", "Calls answered"),
        (-4, -4),
        (6.5, 6.5),
        (None, None),
    ],
)
def test_neutralise(text, expected):
    assert neutralise(text) == expected


def test_xlsx_holds_the_same_rows_as_the_page_in_groups(cmt_client):
    page_rows = cmt_client.get(CMT + "?rag=red&period=fy2015-16").context["card"].rows
    response = cmt_client.get(CMT + "export.xlsx?rag=red&period=fy2015-16")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'attachment; filename="corporate-management-team-scorecard-2015-16-current.xlsx"'
        == response["Content-Disposition"]
    )
    rows = sheet_rows(response.content)
    header = rows.index(next(r for r in rows if r and r[0] == "Ref"))
    assert rows[header][:5] == ("Ref", "Indicator", "2013/14", "2014/15", "2015/16")
    data = [r for r in rows[header + 1 :] if r[1] is not None]
    assert [r[0] for r in data] == [r.reference for r in page_rows]
    rag = rows[header].index("RAG")
    assert {r[rag] for r in data} == {"Red"}
    headings = [r[0] for r in rows[header + 1 :] if r[1] is None]
    assert headings == ["General service performance", "Customer experience", "Workforce", "Finance"]


def test_xlsx_rag_has_word_and_fill_and_numbers_stay_numbers(cmt_client):
    workbook = load_workbook(io.BytesIO(cmt_client.get(CMT + "export.xlsx").content))
    sheet = workbook.active
    header = next(r for r in sheet.iter_rows() if r[0].value == "Ref")
    columns = [c.value for c in header]
    rag_col, latest_col = columns.index("RAG"), columns.index("Latest")
    fills = {}
    for row in sheet.iter_rows(min_row=header[0].row + 1):
        if row[1].value is None:
            continue
        assert isinstance(row[latest_col].value, int | float)
        fills[row[rag_col].value] = row[rag_col].fill.fgColor.rgb
    assert fills.get("Red") == "00B0281A"
    assert fills.get("Green") == "0000703C"


def test_csv_matches_and_neutralises_formulas(cmt_client):
    Indicator.objects.filter(reference="GEN000").update(title='=HYPERLINK("http://evil","x")')
    response = cmt_client.get(CMT + "?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Ref"] for r in rows] == [r.reference for r in cmt_client.get(CMT).context["card"].rows]
    gen000 = next(r for r in rows if r["Ref"] == "GEN000")
    assert gen000["Indicator"].startswith("'=HYPERLINK")
    assert gen000["Group"] == "General service performance"
    float(gen000["Latest"])  # a number, not neutralised


def test_unknown_export_format_is_404(cmt_client):
    assert cmt_client.get(CMT + "export.pdf").status_code == 404
    assert cmt_client.get(CMT + "?format=pdf").status_code == 404


def test_xlsx_neutralises_formulas(cmt_client):
    Indicator.objects.filter(reference="GEN000").update(title="=1+1")
    rows = sheet_rows(cmt_client.get(CMT + "export.xlsx").content)
    assert next(r for r in rows if r[0] == "GEN000")[1] == "'=1+1"
