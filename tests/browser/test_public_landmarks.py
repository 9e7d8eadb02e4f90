"""The public pages keep all their content in landmarks (axe "region", a moderate rule the shared
axe check in conftest.py does not fail on)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def region_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["region"], "resultTypes": ["violations"]})
    return [
        f"{violation['id']} at {node.get('target')}"
        for violation in results.response.get("violations", [])
        for node in violation.get("nodes", [])
    ]


def test_public_pages_have_everything_in_a_landmark(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.goto("/public/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert region_violations(page) == []

    page.get_by_role("link", name="CEO03", exact=True).click()
    expect(page.get_by_role("link", name="All published indicators")).to_be_visible()
    assert_accessible(page)
    assert region_violations(page) == []
