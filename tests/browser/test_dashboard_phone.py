"""The councillor's phone dashboard (issue 10, item 12) in real Chromium at 375 × 667.

Any indicator is reached within three screens: with every group collapsed the whole page (the
tiles and the theme list) is at most three screen-heights long, and after tapping a theme (and,
in a theme split by RAG, the RAG group) every indicator's link is at most three screen-heights
below the summary tapped. The count tiles filter by plain links (no JavaScript needed), and
with htmx without reloading; no page scrolls sideways; axe-core finds nothing serious.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_dashboard_phone.py -q
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_scorecards import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 375, 667
SCREENS = 3

# For each leaf list (a group without subgroups, or a subgroup): open only it and its parent,
# then measure how far below the summary last tapped each indicator's link ends.
MEASURE = """() => {
  const all = [...document.querySelectorAll('#dashboard-body details')];
  const top = (el) => el.getBoundingClientRect().top + window.scrollY;
  const bottom = (el) => el.getBoundingClientRect().bottom + window.scrollY;
  all.forEach((d) => { d.open = false; });
  const collapsed = document.documentElement.scrollHeight;
  const summaries = all.filter((d) => !d.parentElement.closest('details'))
    .map((d) => bottom(d.querySelector('summary')));
  const leaves = all.filter((d) => !d.querySelector('details'));
  const reach = [];
  for (const leaf of leaves) {
    all.forEach((d) => { d.open = false; });
    const parent = leaf.parentElement.closest('details');
    if (parent) parent.open = true;
    const fromParent = parent ? bottom(leaf.querySelector('summary')) - top(parent.querySelector('summary')) : 0;
    leaf.open = true;
    const start = top(leaf.querySelector('summary'));
    for (const link of leaf.querySelectorAll('a.govuk-task-list__link')) {
      reach.push({ref: link.textContent.trim().split(':')[0], fromParent, fromSummary: bottom(link) - start});
    }
  }
  all.forEach((d) => { d.open = false; });
  return {collapsed, summaries, reach, wide: document.documentElement.scrollWidth};
}"""


def open_dashboard(page, assert_accessible, username: str = "councillor", path: str = "/dashboard/") -> None:
    """On a phone-sized screen: sign in, open the page, check it with axe."""
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    sign_in(page, assert_accessible, username)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_any_indicator_within_three_screens_on_a_phone(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    open_dashboard(page, assert_accessible)
    references = page.locator("#dashboard-body a.govuk-task-list__link").count()
    assert references >= 60  # the demo councillor's portfolio: 60 indicators

    measured = page.evaluate(MEASURE)
    limit = SCREENS * HEIGHT
    assert measured["wide"] <= WIDTH, f"the page scrolls sideways: {measured['wide']} px"
    assert measured["collapsed"] <= limit, (
        f"collapsed page is {measured['collapsed']} px, over {SCREENS} screens"
    )
    assert all(y <= limit for y in measured["summaries"])
    assert len({r["ref"] for r in measured["reach"]}) == references  # every indicator once
    far = [r for r in measured["reach"] if r["fromSummary"] > limit or r["fromParent"] > limit]
    assert not far, f"more than {SCREENS} screens below the theme tapped: {far[:5]}"

    # Every group open (the worst case for axe and for width): still no sideways scroll.
    page.evaluate(
        "() => document.querySelectorAll('#dashboard-body details').forEach((d) => { d.open = true; })"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert_accessible(page)

    # A theme then its indicator: the tap order a councillor uses.
    first = page.locator("#dashboard-body > details").first
    first.locator("summary").first.click()
    page.evaluate(
        "() => document.querySelectorAll('#dashboard-body details').forEach((d) => { d.open = false; })"
    )
    first.locator("summary").first.click()
    inner = first.locator("details")
    if inner.count():
        inner.first.locator("summary").click()
    link = first.locator("a.govuk-task-list__link").first
    expect(link).to_be_visible()
    reference = link.inner_text().split(":")[0].strip()
    link.click()
    expect(page).to_have_url(re.compile(rf"/indicators/{reference}/$"))
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_red_tile_filters_with_htmx_and_without_javascript(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    open_dashboard(page, assert_accessible)
    page.evaluate("window.kpiNoReloadMarker = true")
    page.locator(".kpi-summary-counts__item a", has=page.locator(".kpi-rag--red")).click()
    expect(page).to_have_url(re.compile(r"[?&]rag=red(&|$)"))
    expect(page.locator("#dashboard-body")).to_contain_text("match the filter")
    assert page.evaluate("window.kpiNoReloadMarker === true"), "the dashboard reloaded instead of htmx"
    statuses = page.locator("#dashboard-body .govuk-task-list__status").all_inner_texts()
    assert statuses and all("Red" in s for s in statuses)
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert_accessible(page)

    # The same link works as a plain page load (no JavaScript needed): a new document.
    url = page.url
    page.goto(url)
    expect(page.locator("#dashboard-body")).to_contain_text("match the filter")
    assert page.locator("#dashboard-body .govuk-task-list__status").all_inner_texts() == statuses
    assert_accessible(page)
    page.get_by_role("link", name="Show all").click()
    expect(page.locator("#dashboard-body")).to_contain_text("those needing attention first")
    assert_accessible(page)


def test_emails_page_passes_axe_on_a_phone(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    open_dashboard(page, assert_accessible, "head", "/accounts/notifications/")
    expect(page.get_by_role("heading", name="Emails you get", level=1)).to_be_visible()
    page.get_by_label("Once a day", exact=False).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your email choice is saved.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    assert_accessible(page)


def test_officer_home_lists_returns_needing_attention_first(kpi_page, demo_council, assert_accessible):
    """Issue 10, item 15: the officer's home page opens on their returned and overdue returns."""
    page = kpi_page
    open_dashboard(page, assert_accessible, "officer", "/")
    table = page.get_by_role("region", name="Returns needing your attention")
    expect(table).to_be_visible()
    first_heading = page.locator("main h2, main caption").first
    assert "Returns needing your attention" in first_heading.inner_text()
    assert "Overdue" in table.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    table.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(r"/returns/[A-Z0-9]+/[0-9a-z-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
