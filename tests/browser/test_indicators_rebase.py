"""Issue 10 item 4 in real Chromium: the hub reads "not judged" on PPP04 and accepts the suggested rebase (axe-checked).

Run with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_indicators_rebase.py
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_journeys import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hub_accepts_the_suggested_rebase_on_ppp04(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "hub", "kpi-demo")
    expect(page.get_by_role("heading", name="Your indicators", level=1)).to_be_visible()
    assert_accessible(page)
    page.goto("/indicators/PPP04/")
    assurance = page.locator("#assurance")
    expect(assurance).to_contain_text("Not judged")
    expect(assurance).not_to_contain_text("Consistently fails")
    suggestion = page.locator("#rebase-suggestion")
    expect(suggestion).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What changed (optional)", exact=True).fill("Reminder emails from March 2014")
    page.get_by_role("button", name="Accept rebase", exact=True).click()
    expect(page.locator("main")).to_contain_text("new baseline from here")
    assert_accessible(page)
