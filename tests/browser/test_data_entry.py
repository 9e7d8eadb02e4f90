"""Data entry journey in real Chromium (officer to approver to audit), every page checked with axe-core.

The officer enters December 2015 for CEO03 (red against its 90 % target), is told to add
commentary, adds it and submits; the head approves; the indicator's RAG and direction of travel
update at once; the history shows both steps with names and times.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, assert_accessible, username: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


@pytest.fixture
def ceo03_december_not_entered(demo_council):
    """The demo has CEO03's December 2015 entered already; take it back to an open return."""
    from indicators.models import Result

    Result.objects.filter(
        indicator__reference="CEO03", period__kind="month", period__label="Dec 2015"
    ).delete()


def test_officer_enters_red_result_head_approves_history_shows_both(
    kpi_page, ceo03_december_not_entered, assert_accessible
):
    page = kpi_page
    sign_in(page, assert_accessible, "officer")

    page.goto("/returns/")
    expect(page.get_by_role("heading", name="Your returns", level=1)).to_be_visible()
    assert_accessible(page)
    row = page.locator("#ret-CEO03-2015-12")
    expect(row).to_contain_text("Due")

    # Entry in place: htmx swaps the row for its form, without a page load.
    page.evaluate("window.kpiNoReloadMarker = true")
    row.get_by_role("link", name=re.compile("Enter result")).click()
    row.get_by_label("Result", exact=True).fill("78.4")
    row.get_by_role("button", name="Submit for approval").click()
    expect(row).to_contain_text("add commentary")
    assert_accessible(page)
    row.get_by_label("Commentary", exact=True).fill(
        "Two long-term absences left a backlog of 9 late requests; Legal Services are lending an officer."
    )
    row.get_by_role("button", name="Submit for approval").click()
    expect(row).to_contain_text("Submitted")
    assert page.evaluate("window.kpiNoReloadMarker === true"), "entry reloaded the page instead of htmx"
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert_accessible(page)
    sign_in(page, assert_accessible, "head")
    page.goto("/approvals/")
    assert_accessible(page)
    approval = page.locator("section.govuk-summary-card", has_text="CEO03").filter(has_text="Dec 2015")
    approval.get_by_role("button", name=re.compile("^Approve")).click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("CEO03 Dec 2015 approved")
    assert_accessible(page)

    page.goto("/indicators/CEO03/")
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Latest result: Dec 2015")).to_be_visible()
    expect(page.locator("#latest-result")).to_contain_text("78.4")
    expect(main.locator("dd", has_text="against a target")).to_contain_text("Red")
    expect(main.locator("dd", has_text=re.compile("Good|Bad|Neutral|Not comparable")).first).to_be_visible()
    history = page.locator("#history-table")
    expect(history).to_contain_text("Submitted")
    expect(history).to_contain_text("Approved")
    expect(history).to_contain_text("Priya Sharma")
    expect(history).to_contain_text("Daniel Hargreaves")
    expect(history.locator("time").first).to_have_attribute("datetime", re.compile(r"\d{4}-\d{2}-\d{2}T"))
    assert_accessible(page)


@pytest.mark.parametrize(
    "username,paths",
    [
        ("hub", ["/data-quality/", "/imports/", "/targets/", "/targets/STF90/", "/returns/bulk/"]),
        ("auditor", ["/audit/", "/data-quality/"]),
    ],
)
def test_data_entry_pages_are_accessible(kpi_page, demo_council, assert_accessible, username, paths):
    page = kpi_page
    sign_in(page, assert_accessible, username)
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page)
