"""An export says which figures it holds: as reported (and when) or current, in its name and rows."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from indicators.models import Assessment, Period, Target
from indicators.services.assessments import recompute_assessments
from reporting.exceptions import exception_list_build
from reporting.models import ReportedAssessment

pytestmark = pytest.mark.django_db
CMT = "/scorecards/cmt/"
NAME = "corporate-management-team-scorecard"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def reported_on(scorecard_council):
    """12 indicators with Dec 2015 reported; returns the day it was reported."""
    scorecard_council(12)
    exception_list_build(period=Period.objects.get(kind="month", start=datetime.date(2015, 12, 1)))
    return timezone.localdate(ReportedAssessment.objects.latest("reported_at").reported_at)


@pytest.fixture
def cmt(client, users):
    client.force_login(users["cmt"])
    return client


def sheet(response) -> tuple[list[tuple], int]:
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows, next(i for i, r in enumerate(rows) if r and r[0] == "Ref")


def sheet_by_ref(response) -> dict[str, dict]:
    rows, header = sheet(response)
    return {r[0]: dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :] if r[1] is not None}


def csv_by_ref(response) -> dict[str, dict]:
    return {r["Ref"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}


def filename(response) -> str:
    return response["Content-Disposition"].removeprefix('attachment; filename="').removesuffix('"')


def test_as_reported_export_is_named_and_headed_as_reported_with_the_date(reported_on, cmt):
    response = cmt.get(CMT + "?period=2015-12&view=reported&format=xlsx")
    assert filename(response) == f"{NAME}-dec-2015-as-reported.xlsx"
    rows, _ = sheet(response)
    assert rows[1][0] == f"As at Dec 2015, as reported on {long_date(reported_on)}"
    assert rows[2][0].startswith(f"Figures: as reported on {long_date(reported_on)}.")
    assert {r["Figures"] for r in sheet_by_ref(response).values()} == {
        f"As reported on {long_date(reported_on)}"
    }

    response = cmt.get(CMT + "?period=2015-12&format=csv")  # as reported is the default
    assert filename(response) == f"{NAME}-dec-2015-as-reported.csv"
    assert {r["Figures"] for r in csv_by_ref(response).values()} == {
        f"As reported on {long_date(reported_on)}"
    }


def test_current_export_of_a_reported_period_is_named_current_and_its_rag_can_differ(reported_on, cmt):
    reported = ReportedAssessment.objects.get(indicator__reference="GEN000", period__label="Dec 2015")
    Target.objects.filter(indicator__reference="GEN000").update(
        value=Decimal("1" if reported.rag != "green" else "100")
    )
    recompute_assessments()
    today = long_date(timezone.localdate())

    as_reported = cmt.get(CMT + "?period=2015-12&view=reported&format=xlsx")
    current = cmt.get(CMT + "?period=2015-12&view=current&format=xlsx")
    assert filename(current) == f"{NAME}-dec-2015-current.xlsx" != filename(as_reported)
    rows, _ = sheet(current)
    assert rows[1][0] == f"As at Dec 2015: current assessments on {today}"
    assert f"not as reported on {long_date(reported_on)}" in rows[2][0]
    assert sheet(as_reported)[0][1][0] != rows[1][0]
    gen000_reported, gen000_current = sheet_by_ref(as_reported)["GEN000"], sheet_by_ref(current)["GEN000"]
    assert gen000_reported["RAG"] != gen000_current["RAG"]
    assert gen000_current["Figures"] == f"Current on {today}"

    response = cmt.get(CMT + "?period=2015-12&view=current&format=csv")
    assert filename(response) == f"{NAME}-dec-2015-current.csv"
    assert {r["Figures"] for r in csv_by_ref(response).values()} == {f"Current on {today}"}


def test_a_row_with_nothing_reported_is_marked_current_in_both_files(reported_on, cmt):
    ReportedAssessment.objects.filter(indicator__reference="GEN002").delete()
    marked = f"Current on {long_date(timezone.localdate())} (not in the report of {long_date(reported_on)})"

    rows = csv_by_ref(cmt.get(CMT + "?period=2015-12&format=csv"))
    assert rows["GEN002"]["Figures"] == marked
    assert rows["GEN002"]["RAG"]  # still shows today's assessment
    assert rows["GEN000"]["Figures"] == f"As reported on {long_date(reported_on)}"

    response = cmt.get(CMT + "?period=2015-12&format=xlsx")
    assert sheet_by_ref(response)["GEN002"]["Figures"] == marked
    assert sheet(response)[0][2][0].endswith("had nothing reported then and shows today's assessment.")
    workbook = load_workbook(io.BytesIO(response.content)).active
    header = next(r for r in workbook.iter_rows() if r[0].value == "Ref")
    figures = [c.value for c in header].index("Figures")
    cell = next(r for r in workbook.iter_rows() if r[0].value == "GEN002")[figures]
    assert cell.value == marked and cell.font.bold


def test_an_unreported_period_exports_as_current_even_when_reported_is_asked_for(reported_on, cmt):
    today = long_date(timezone.localdate())
    response = cmt.get(CMT + "?period=2015-11&view=reported&format=csv")
    assert filename(response) == f"{NAME}-nov-2015-current.csv"
    assert {r["Figures"] for r in csv_by_ref(response).values()} == {f"Current on {today}"}

    response = cmt.get(CMT + "?period=2015-11&view=reported&format=xlsx")
    assert filename(response) == f"{NAME}-nov-2015-current.xlsx"
    rows, _ = sheet(response)
    assert rows[1][0] == f"As at Nov 2015: current assessments on {today}"
    assert rows[2][0] == f"Figures: current on {today}. Nov 2015 has not been reported yet."
    assert Assessment.objects.filter(period__label="Nov 2015").exists()


def test_unknown_export_format_is_404_for_a_reported_period(reported_on, cmt):
    assert cmt.get(CMT + "?period=2015-12&format=pdf").status_code == 404
    assert cmt.get(CMT + "export.json?period=2015-12").status_code == 404
