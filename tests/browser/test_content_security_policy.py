"""The strict Content-Security-Policy holds on the pages with the most script: the indicator
chart (plotly.js), htmx's partial updates and the scorecards. Any violation Chromium reports
fails the test (the kpi_page fixture in conftest.py watches the console for them)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, check, username="hub"):
    page.goto("/accounts/login/")
    check(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("kpi-demo")
    page.get_by_role("button", name="Sign in").click()


def test_pages_with_charts_and_htmx_raise_no_csp_violation(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    response = page.goto("/public/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "form-action 'self'" in policy
    assert_accessible(page)
    sign_in(page, assert_accessible)
    assert_accessible(page)
    page.goto("/indicators/CEO03/")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    assert_accessible(page)
    page.goto("/scorecards/cmt/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.goto("/returns/")
    assert_accessible(page)
