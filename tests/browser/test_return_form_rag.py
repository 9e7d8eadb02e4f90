"""The return form judges the value as it is typed (htmx), in real Chromium, checked by axe-core.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_return_form_rag.py -q
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_rag_follows_the_value_as_it_is_typed(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill("officer")
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)

    page.goto("/returns/STF15/2015-12/")
    context = page.locator("#entry-context")
    for text in ("Target", "Amber tolerance", "Previous period", "Same period last year"):
        expect(context).to_contain_text(text)
    assert_accessible(page)
    page.evaluate("window.kpiNoReloadMarker = true")
    page.get_by_label("Result", exact=True).fill("99")
    expect(page.locator("#rag-preview")).to_contain_text(
        re.compile("This value would be .*(Red|Amber|Green|No RAG)")
    )
    assert page.evaluate("window.kpiNoReloadMarker === true"), "the preview reloaded the page"
    assert_accessible(page)
