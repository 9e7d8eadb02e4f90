"""Scorecard, dashboard and open data journeys in real Chromium, each page checked by axe-core.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_scorecards.py -q
"""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, assert_accessible, username: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def table_references(page) -> list[str]:
    return page.locator("#scorecard-body tr[data-reference]").evaluate_all(
        "rows => rows.map(r => r.dataset.reference)"
    )


def test_director_switches_period_filters_red_and_exports_excel(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "director")
    page.get_by_role("link", name="Scorecards").first.click()
    expect(page.get_by_role("heading", name="Scorecards", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Office of the Chief Executive")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office of the Chief Executive")
    assert_accessible(page)

    # The period switch and the red filter swap the table in place (htmx) and keep state in the URL.
    page.evaluate("window.kpiNoReloadMarker = true")
    page.get_by_label("Period", exact=True).select_option(label="Q3 2015/16")
    expect(page).to_have_url(re.compile(r"[?&]period=fy2015-16-q3(&|$)"))
    expect(page.locator("#scorecard-body")).to_contain_text("As at Q3 2015/16")
    page.locator(".kpi-summary-counts__item a", has=page.locator(".kpi-rag--red")).click()
    expect(page).to_have_url(re.compile(r"[?&]rag=red(&|$)"))
    expect(page.locator("#scorecard-body")).to_contain_text("match the filter")
    assert page.evaluate("window.kpiNoReloadMarker === true"), "the scorecard reloaded instead of htmx"
    assert_accessible(page)
    shown = table_references(page)
    assert shown
    rags = page.locator("#scorecard-body tr[data-reference] .kpi-rag").all_inner_texts()
    assert rags and all("Red" in r for r in rags)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Excel \(\.xlsx\)")).click()
    workbook = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Ref")
    exported = [r[0] for r in rows[header + 1 :] if r[1] is not None]
    assert exported == shown
    assert {r[rows[header].index("RAG")] for r in rows[header + 1 :] if r[1] is not None} == {"Red"}


def test_councillor_on_a_phone_opens_the_dashboard_and_drills_down(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, assert_accessible, "councillor")
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert_accessible(page)
    # Grouped by theme in <details> (tests/browser/test_dashboard_phone.py measures the screens);
    # one column that fits the screen: no sideways scrolling of the page.
    page.locator("#dashboard-body > details > summary").first.click()
    links = page.locator("#dashboard-body a.govuk-task-list__link")
    expect(links.first).to_be_visible()
    box = links.first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    link = links.first
    reference = link.inner_text().split(":")[0].split()[0]
    link.click()
    expect(page).to_have_url(re.compile(rf"/indicators/{reference}/$"))
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_anonymous_downloads_open_data_with_no_unpublished_indicator(
    kpi_page, demo_council, assert_accessible
):
    from indicators.models import Indicator

    page = kpi_page
    page.goto("/public/")
    expect(page.get_by_role("heading", name="How the council is performing", level=1)).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Open data as CSV").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    published = set(
        Indicator.objects.filter(published=True, is_active=True).values_list("reference", flat=True)
    )
    unpublished = set(Indicator.objects.values_list("reference", flat=True)) - published
    assert rows and {r["Id"] for r in rows} <= published
    assert not {r["Id"] for r in rows} & unpublished
    assert "STF15" in {r["Id"] for r in rows} and "BPI107" not in {r["Id"] for r in rows}


def test_every_scorecard_and_dashboard_page_passes_axe(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    for url in (
        "/scorecards/",
        "/scorecards/cmt/",
        "/scorecards/council-plan/",
        "/scorecards/portfolio/leader-finance-performance-corporate/",
        "/scorecards/board/corporate-and-scrutiny-management-committee/",
        "/scorecards/directorate/oce/?indicators=all&sort=rag",
        "/dashboard/",
        "/dashboard/?show=theme:council-that-listens&rag=red",
        "/public/",
        "/public/indicators/STF15/",
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)
