"""The API's pages in real Chromium: the reference page and the token page load nothing from
another host, raise no CSP violation (kpi_page watches for them), pass axe, and do not scroll
sideways at 375 px."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    page.set_viewport_size({"width": 375, "height": 800})
    assert (
        page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        <= 0
    )
    page.set_viewport_size({"width": 1280, "height": 800})


def test_reference_and_token_pages(kpi_page, demo_council, assert_accessible, live_server):
    page = kpi_page
    own_host = urlsplit(live_server.url).netloc
    hosts = set()
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("KPI Machine API reference")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill("officer")
    page.get_by_label("Password").fill("kpi-demo")
    page.get_by_role("button", name="Sign in").click()
    assert_accessible(page)
    page.get_by_role("link", name="API tokens").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What the token is for").fill("monthly returns feed")
    page.get_by_label("Read and post results").check()
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("kpi_")
    assert_accessible(page)
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Revoke monthly returns feed").click()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()
    assert_accessible(page)
    assert hosts == {own_host}
