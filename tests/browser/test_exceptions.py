"""The hub's exception-list journey in real Chromium, each page checked with axe-core.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_exceptions.py -q
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exception_lists(demo_council):
    """The demo's lists as the Celery beat task would have built them by its reporting date."""
    from reporting.exceptions import exception_lists_build_due
    from reporting.models import ExceptionEntry

    exception_lists_build_due(as_of=datetime.date(2016, 1, 20))
    entry = (
        ExceptionEntry.objects.exclude(reasons=[])
        .select_related("indicator__service__directorate", "period")
        .filter(period__kind="month")
        .order_by("-period__start", "indicator__reference")
        .first()
    )
    assert entry is not None, "the demo council should have at least one exception"
    return entry


def test_hub_filters_the_exception_list_and_marks_an_entry_reviewed(
    kpi_page, exception_lists, assert_accessible
):
    from reporting.models import ExceptionEntry

    page = kpi_page
    entry = exception_lists
    directorate = entry.indicator.service.directorate

    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill("hub")
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Exceptions")).to_be_visible()
    assert_accessible(page)

    page.goto("/exceptions/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Exception list")
    assert_accessible(page)

    # Filter by directorate: htmx swaps the table and pushes the state into the URL; the
    # plain form (the "Show list" button) does the same without JavaScript.
    page.get_by_label("Period", exact=True).select_option(label=entry.period.label)
    page.get_by_label("Directorate", exact=True).select_option(label=directorate.name)
    expect(page).to_have_url(re.compile(rf"[?&]directorate={directorate.slug}(&|$)"))
    results = page.locator("#exception-results")
    expect(results.locator("caption")).to_contain_text(f"in {directorate.name}")
    row = page.locator(f"#entry-{entry.id}")
    expect(row).to_be_visible()
    assert_accessible(page)

    row.get_by_label(f"Review note for {entry.indicator.reference}", exact=True).fill(
        "Discussed at CMT: <recovery plan> agreed"
    )
    row.get_by_role("button", name=re.compile(r"^Mark reviewed")).click()
    expect(page).to_have_url(re.compile(rf"directorate={directorate.slug}.*#entry-{entry.id}$"))
    row = page.locator(f"#entry-{entry.id}")
    expect(row).to_contain_text("Reviewed")
    expect(row).to_contain_text("Discussed at CMT: <recovery plan> agreed")  # shown as text, escaped
    assert_accessible(page)

    entry = ExceptionEntry.objects.get(id=entry.id)
    assert entry.review_note == "Discussed at CMT: <recovery plan> agreed"
    assert entry.reviewed_by.username == "hub" and entry.reviewed_at is not None
