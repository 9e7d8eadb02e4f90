"""Issue 10 item 7: every figure on every page, file and message goes through the one formatter.

Three indicators — a one-decimal percentage, a £k amount and a count in the hundred thousands —
are rendered on every page that shows results (library, indicator pages, home, scorecard,
exception list, approvals, audit, public pages) and written to every export, and no figure of
theirs appears unformatted: no database padding ("85.7000"), no percentage without its %, no
£k amount without £ and k, no count without thousands separators or with decimals ("8541.86").
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from indicators.formatting import unit_number_format
from indicators.models import Indicator, Period, Result, Target
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar
from reporting.exceptions import exception_list_build

pytestmark = pytest.mark.django_db
D = datetime.date
MONTHS = [D(2015, m, 1) for m in range(4, 13)]
RATES = ["85.7", "86.3", "84.9", "85.2", "86.8", "85.5", "84.1", "86.0", "78.4"]  # Dec 2015 red
POUNDS_K = ["3412", "3455", "3401", "3478", "3420", "3466", "3439", "3490", "3444"]
COUNTS = ["138050", "139120", "137480", "138990", "140210", "138760", "139430", "137950", "141230"]


@pytest.fixture
def three(org, users):
    ReportingCalendar.objects.create(id=1, as_of=D(2016, 1, 25))
    made = {}
    for reference, unit, places, values, target in (
        ("FMT01", "percentage", 1, RATES, "85.5"),
        ("FMT02", "currency_thousands", 0, POUNDS_K, "3400"),
        ("FMT03", "count", 0, COUNTS, "138500"),
    ):
        indicator = Indicator.objects.create(
            reference=reference,
            title=f"Formatted figures {reference}",
            category="performance",
            unit=unit,
            decimal_places=places,
            polarity="up_is_good",
            frequency="monthly",
            service=org["hr"],
            responsible_officer=users["head"],
            on_scorecard=True,
            published=True,
        )
        indicator.data_entry_officers.add(users["officer"])
        periods = ensure_periods([("month", m) for m in MONTHS] + [("year", D(2015, 4, 1))])
        for month, value in zip(MONTHS[:-1], values[:-1], strict=True):
            Result.objects.create(
                indicator=indicator, period=periods[("month", month)], value=Decimal(value), status="approved"
            )
        # December waits for approval, so /approvals/ shows it beside its context.
        Result.objects.create(
            indicator=indicator,
            period=periods[("month", MONTHS[-1])],
            value=Decimal(values[-1]),
            status="submitted",
            commentary="Explained in a full sentence.",
            submitted_by=users["officer"],
            submitted_at=timezone.now(),
        )
        Target.objects.create(
            indicator=indicator, period=periods[("year", D(2015, 4, 1))], value=Decimal(target)
        )
        made[reference] = indicator
    recompute_assessments()
    exception_list_build(period=Period.objects.get(kind="month", start=D(2015, 11, 1)))
    return made


def text_of(html: str) -> str:
    """What a reader sees: text outside tags, scripts, styles and the chart data."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html.replace("&nbsp;", " ").replace("&#x27;", "'"))


# A figure of these three indicators written without the formatter.
UNFORMATTED = [
    (re.compile(r"\d\.\d{4}\b"), "database padding"),
    (re.compile(r"(?<![\d.,])(?:7[5-9]|8\d)\.\d+(?![\d%])"), "a percentage without its %"),
    (re.compile(r"(?<![\d,£])3,?4\d\d(?![\d,])(?!k)"), "a £k amount without £ and k"),
    (re.compile(r"£3,4\d\d(?!k)"), "a £k amount without its k"),
    (re.compile(r"(?<![\d,])1[34]\d{4}(?![\d,])"), "a count without thousands separators"),
    (re.compile(r"1[34]\d,\d{3}\.\d"), "a count with decimals"),
]


def unformatted(text: str) -> list[str]:
    found = []
    for pattern, what in UNFORMATTED:
        for match in pattern.finditer(text):
            found.append(f"{what}: …{text[max(0, match.start() - 40) : match.end() + 20]}…")
    return found


def test_the_checker_catches_what_the_issue_saw():
    for bad in (
        "85.7000 → 85.7000",
        "85.70 on the home page",
        "forecast 138541.86",
        "3412 spent",
        "£3,412 spent",
    ):
        assert unformatted(bad), bad
    for good in ("85.7% → 85.7%", "£3,412k", "138,542", "Dec 2015", "2015/16", "5% of target"):
        assert not unformatted(good), good


PAGES = {
    "hub": [
        "/",
        "/indicators/",
        "/indicators/FMT01/",
        "/indicators/FMT02/",
        "/indicators/FMT03/",
        "/scorecards/directorate/oce/?period=2015-11",
        "/scorecards/cmt/",
        "/exceptions/?period=2015-11",
        "/audit/",
        "/data-quality/",
        "/targets/FMT02/",
    ],
    "head": ["/approvals/", "/returns/"],
    "officer": ["/returns/FMT03/2015-12/", "/"],
    None: ["/public/", "/public/indicators/FMT01/", "/public/indicators/FMT02/", "/public/indicators/FMT03/"],
}


def test_no_page_shows_an_unformatted_figure(client, users, three):
    seen = {}
    for role, urls in PAGES.items():
        client.logout()
        if role:
            client.force_login(users[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = text_of(response.content.decode())
            assert not unformatted(text), (url, unformatted(text)[:5])
            seen[url] = text
    # And the figures are there, formatted: the pages were not merely empty.
    assert "85.7%" in seen["/indicators/FMT01/"] and "85.5%" in seen["/indicators/FMT01/"]
    assert "£3,412k" in seen["/indicators/FMT02/"] and "£3,400k" in seen["/indicators/FMT02/"]
    assert "138,050" in seen["/indicators/FMT03/"] and "138,500" in seen["/indicators/FMT03/"]
    assert "78.4%" in seen["/approvals/"] and "141,230" in seen["/approvals/"]


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


EXPORTS = [
    "/exports/results.{fmt}",
    "/exports/template.{fmt}?period=2015-12",
    "/scorecards/directorate/oce/export.{fmt}?period=2015-11",
    "/audit/export.{fmt}",
]


@pytest.mark.parametrize("url", EXPORTS)
def test_exports_write_numbers_that_show_as_the_page_does(client, users, three, url):
    client.force_login(users["hub"] if "template" not in url else users["officer"])
    rows = _csv(client.get(url.format(fmt="csv")).content)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if re.search(r"\d\.\d{4}$", c)], "database padding in the CSV"
    assert not [c for c in cells if re.fullmatch(r"1[34]\d,?\d{3}\.\d+", c)], "a count with decimals"
    sheet = load_workbook(io.BytesIO(client.get(url.format(fmt="xlsx")).content)).active
    formats = {ref: unit_number_format(i.unit, i.decimal_places) for ref, i in three.items()}
    checked = 0
    for row in sheet.iter_rows():
        reference = next((c.value for c in row if c.value in formats), None)
        if reference is None:
            continue
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                # The year so far may add its period: #,##0.0"%"" (Nov)".
                assert cell.number_format.startswith(formats[reference]), (url, reference, cell.coordinate)
                checked += 1
            elif isinstance(cell.value, str):
                assert not unformatted(cell.value), (url, cell.coordinate, cell.value)
    assert checked or "audit" in url  # the trail writes its figures as text, by the formatter


def test_open_data_rounds_to_the_indicators_places(client, three):
    rows = _csv(client.get("/public/open-data.csv").content)
    assert rows and not [c for row in rows for c in row if re.search(r"\d\.\d{4}$", c)]


def test_messages_write_figures_by_unit(users, three):
    from indicators.data_entry.services.results import indicator_validity_errors

    rate = three["FMT01"]
    rate.plausible_min, rate.plausible_max = Decimal("50"), Decimal("99.5")
    assert indicator_validity_errors(rate, Decimal("99.9"))["value"] == (
        "The result must be at most 99.5%, this indicator's plausible maximum"
    )
    target = Target.objects.select_related("indicator", "period").get(indicator=three["FMT02"])
    assert str(target) == "FMT02 2015/16 target £3,400k"


def test_chart_hover_text_and_axis_write_figures_by_unit(client, users, three):
    import json

    client.force_login(users["hub"])
    for reference, expected in (("FMT01", "85.7%"), ("FMT02", "£3,412k"), ("FMT03", "138,050")):
        html = client.get(f"/indicators/{reference}/").content.decode()
        chart = json.loads(re.search(r'id="indicator-chart-data"[^>]*>(.*?)</script>', html, re.S).group(1))
        texts = [t for trace in chart["data"] for t in trace.get("text") or [] if isinstance(t, str)]
        assert any(expected in t for t in texts), (reference, texts[:3])
        assert not [t for t in texts if unformatted(t)], reference
        assert all("%{y}" not in trace.get("hovertemplate", "") for trace in chart["data"]), reference
        axis = chart["layout"]["yaxis"]
        assert (axis["tickprefix"], axis["ticksuffix"]) == {
            "FMT01": ("", "%"),
            "FMT02": ("£", "k"),
            "FMT03": ("", ""),
        }[reference]
