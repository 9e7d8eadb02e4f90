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
        **{
            "filename": "returns.csv",
            "sha256": "0" * 64,
            "kind": "results",
            "status": status,
            "upload": CSV,
            "uploaded_by": get_user_model().objects.get(username="hub"),
            **fields,
        }
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


COMPARATORS = (
    b"Indicator reference,Period,Organisation,Value\nSTF90,2014/15,Browserton,81\nSTF90,2014/15,Testham,79\n"
)


def _comparator_job(status: str, **fields):
    return _job(
        status, kind="comparators", upload=COMPARATORS, options={"create_organisations": True}, **fields
    )


def test_the_comparator_import_polls_through_reading_and_writing(kpi_page, demo_council, assert_accessible):
    """The comparator import's job page: reading, the preview, then rows written of total while
    the worker writes (reported outside its transaction), then the result."""
    from django.core.cache import caches

    from indicators.data_entry.services import imports
    from indicators.models import ImportBatch

    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    batch = _comparator_job("queued")
    page.goto(f"/benchmarks/import/{batch.pk}/")
    expect(page.get_by_role("heading", name="Reading the file", level=1)).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text("opening the file")
    assert_accessible(page)
    _no_sideways_scroll_at_375(page)
    imports.import_read(batch.pk)  # the worker reads; the next poll reloads into the preview
    expect(
        page.get_by_role("heading", name="Check the comparator import before saving", level=1)
    ).to_be_visible()
    expect(page.locator("#import-summary")).to_contain_text("2 organisations to create")
    assert_accessible(page)

    # The write as the worker would run it: status applying, one of two values reported so far.
    ImportBatch.objects.filter(pk=batch.pk).update(status="applying", rows_done=0, rows_total=2)
    caches[imports.PROGRESS_CACHE].set(imports._progress_key(batch.pk), 1)
    page.goto(f"/benchmarks/import/{batch.pk}/")
    expect(page.get_by_role("heading", name="Importing", level=1)).to_be_visible()
    expect(page.locator("#import-progress")).to_contain_text("1 of 2 values written")
    assert_accessible(page)
    _no_sideways_scroll_at_375(page)
    caches[imports.PROGRESS_CACHE].set(imports._progress_key(batch.pk), 2)
    expect(page.locator("#import-progress")).to_contain_text("2 of 2 values written")  # the poll moved it
    imports.import_write(batch.pk)  # the worker finishes; the next poll reloads into the result
    expect(page.get_by_role("heading", name="Imported", level=1)).to_be_visible()
    expect(page.get_by_text("2 values written, 2 organisations created")).to_be_visible()
    assert_accessible(page)
