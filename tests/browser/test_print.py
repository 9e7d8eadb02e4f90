"""A scorecard prints on A4 landscape: measured in Chromium with print media emulated."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A4 landscape is 297 mm wide; the print stylesheet sets 10 mm margins: 277 mm at 96 px per inch.
A4_LANDSCAPE_CONTENT_PX = int(277 / 25.4 * 96)


def test_cmt_scorecard_fits_a4_landscape_when_printed(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill("director")
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Scorecards").first.click()
    expect(page.get_by_role("heading", name="Scorecards", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Office of the Chief Executive")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office of the Chief Executive")
    assert_accessible(page)

    page.set_viewport_size({"width": A4_LANDSCAPE_CONTENT_PX, "height": 800})
    page.emulate_media(media="print")
    widths = page.evaluate(
        """() => ({
            page: document.documentElement.scrollWidth,
            tables: [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().right),
            navVisible: [...document.querySelectorAll('header, .govuk-service-navigation, footer')]
                .some(e => getComputedStyle(e).display !== 'none'),
        })"""
    )
    assert widths["page"] <= A4_LANDSCAPE_CONTENT_PX, widths
    assert all(right <= A4_LANDSCAPE_CONTENT_PX for right in widths["tables"]), widths
    assert not widths["navVisible"], "header, navigation and footer are hidden in print"
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF")
