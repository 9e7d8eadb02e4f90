"""An import job's page in real Chromium under the strict CSP, checked with axe-core in each state:
reading (the progress panel, polled by htmx), the preview it reloads into when the worker has
finished, and a failed job saying why (issue 11 item 1); none scrolls sideways at 375 px."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_data_entry import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CSV = b"Reference ID,Dec 2015\nSTF90,91\n"
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _no_sideways_scroll_at_375(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate(SIDEWAYS) <= 1, page.url
    page.set_viewport_size({"width": 1280, "height": 900})


def _job(status: str, **fields):
    from django.contrib.auth import get_user_model

    from indicators.models import ImportBatch

    return ImportBatch.objects.create(
        filename="returns.csv",
        sha256="0" * 64,
        kind="results",
        status=status,
        upload=CSV,
        uploaded_by=get_user_model().objects.get(username="hub"),
        **fields,
    )


def test_the_progress_panel_polls_until_the_preview_is_ready(kpi_page, demo_council, assert_accessible):
    from indicators.data_entry.services.imports import import_read

    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    batch = _job("queued")
    page.goto(f"/imports/{batch.pk}/")
    expect(page.get_by_role("heading", name="Reading the file", level=1)).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text("opening the file")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    assert_accessible(page)
    _no_sideways_scroll_at_375(page)
    import_read(batch.pk)  # the worker finishes; the next poll reloads the page into the preview
    expect(page.get_by_role("heading", name="Check the import before saving", level=1)).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text("to create or change")
    assert_accessible(page)
    _no_sideways_scroll_at_375(page)


def test_a_failed_job_says_why_and_that_nothing_was_saved(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    batch = _job("failed", messages=["Nothing was imported: STF90 Dec 2015 has changed since the preview."])
    page.goto(f"/imports/{batch.pk}/")
    expect(page.get_by_role("heading", name="Import failed", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been saved")
    assert_accessible(page)
    _no_sideways_scroll_at_375(page)
