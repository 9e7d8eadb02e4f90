"""Main journeys in real Chromium, each page checked with axe-core (see conftest.py).

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser -q
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, assert_accessible, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_officer_finds_an_indicator_and_reads_its_chart(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "officer", "kpi-demo")
    expect(page.get_by_role("heading", name="Your indicators", level=1)).to_be_visible()
    assert_accessible(page)

    page.goto("/indicators/")
    expect(page.get_by_role("heading", name="Indicator library", level=1)).to_be_visible()
    assert_accessible(page)

    # htmx swaps the results table and pushes the filters into the URL, without a reload.
    page.evaluate("window.kpiNoReloadMarker = true")
    page.get_by_label("Search by reference or words", exact=True).fill("sickness")
    expect(page).to_have_url(re.compile(r"[?&]q=sickness(&|$)"))
    page.get_by_label("Category", exact=True).select_option(label="Workforce")
    expect(page).to_have_url(re.compile(r"[?&]category=workforce(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]q=sickness(&|$)"))
    results = page.locator("#indicator-results")
    stf15 = results.get_by_role("link", name="STF15", exact=True)
    expect(stf15).to_be_visible()
    assert page.evaluate("window.kpiNoReloadMarker === true"), "filtering reloaded the page instead of htmx"
    assert_accessible(page)

    stf15.click()
    expect(page).to_have_url(re.compile(r"/indicators/STF15/$"))
    expect(page.locator("#indicator-chart .main-svg").first).to_be_visible()
    main = page.locator("main")
    for text in ("Up is Bad", "Bad", "6.4", "6.5"):
        expect(main).to_contain_text(text)
    assert_accessible(page)


def test_wrong_password_shows_the_error_summary(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "officer", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)


def test_anonymous_visitor_sees_only_published_indicators(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.goto("/")
    expect(page.get_by_role("heading", name="How is the council performing?", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Browse published indicators").click()
    expect(page.get_by_role("heading", name="Indicator library", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("You are seeing published indicators only")
    assert_accessible(page)

    # Narrow to the workforce references so pagination cannot hide either indicator.
    page.get_by_label("Search by reference or words", exact=True).fill("STF")
    expect(page).to_have_url(re.compile(r"[?&]q=STF(&|$)"))
    results = page.locator("#indicator-results")
    expect(results.get_by_role("link", name="STF15", exact=True)).to_be_visible()
    expect(results.get_by_role("link", name="STF32", exact=True)).to_have_count(0)
    assert_accessible(page)

    # Searching for the unpublished indicator by reference finds nothing.
    page.goto("/indicators/?q=STF32")
    expect(page.locator("#indicator-results")).to_contain_text("No indicators match these filters")
    assert_accessible(page)
