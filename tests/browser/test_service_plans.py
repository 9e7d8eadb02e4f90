"""The Service Improvement Plan journey in real Chromium, every page checked with axe-core.

The head drafts the OCE plan, the director returns it with a reason, the head mends and
resubmits, the director and then the Executive Member approve, it is signed off; an edit after
sign-off makes version 2 and version 1 stays readable, unchanged.
"""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN_ROW = "2016/17 to 2018/19"


def sign_in(page, assert_accessible, username: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_accessible(page)


def open_oce_plan(page, assert_accessible) -> None:
    page.get_by_role("link", name="Service plans", exact=True).click()
    expect(page.get_by_role("heading", name="Service Improvement Plans", level=1)).to_be_visible()
    assert_accessible(page)
    page.locator("tr", has_text=PLAN_ROW).filter(has_text="Chief Executive's Office").get_by_role(
        "link"
    ).click()
    expect(page.get_by_role("heading", name="Chief Executive's Office", level=1)).to_be_visible()
    assert_accessible(page)


def status(page):
    return page.locator("[data-plan-status]")


def test_plan_from_draft_to_sign_off_and_version_2(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "head")
    open_oce_plan(page, assert_accessible)
    main = page.locator("main")
    for text in ("Table 3.3", "13,805", "1,918 (Q3)", "14.70%", "Up is Bad"):
        expect(main).to_contain_text(text)

    # The head drafts: section 1a, then an error shown by the field (staff numbers are numbers).
    page.get_by_role("link", name="Edit the plan").click()
    expect(page.get_by_role("heading", name="Edit the plan", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Description", exact=True).fill("Version one: the office that serves the Executive.")
    page.get_by_label("Staff (headcount)", exact=True).fill("-3")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Staff (headcount)")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_label("Staff (headcount)", exact=True).fill("57")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Plan saved")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for DMT review").click()
    expect(status(page)).to_have_text("DMT review")
    assert_accessible(page)

    # The director returns it with a reason (first without one: refused, message shown).
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, assert_accessible, "director")
    open_oce_plan(page, assert_accessible)
    page.get_by_role("button", name="Return to draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("reason")
    assert_accessible(page)
    page.get_by_label("Reason for returning the plan").fill("Section 2 needs the savings by year.")
    page.get_by_role("button", name="Return to draft").click()
    expect(status(page)).to_have_text("Draft")
    expect(main).to_contain_text("Section 2 needs the savings by year.")
    assert_accessible(page)

    # The head mends and resubmits.
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, assert_accessible, "head")
    open_oce_plan(page, assert_accessible)
    page.get_by_role("link", name="Edit the plan").click()
    assert_accessible(page)
    page.get_by_label("Savings required", exact=True).fill("£110k in 2016/17; £60k in 2017/18.")
    page.get_by_label("Reason for the change (optional)").fill("As DMT asked")
    page.get_by_role("button", name="Save the plan").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Submit for DMT review").click()
    expect(status(page)).to_have_text("DMT review")
    assert_accessible(page)

    # The director approves at DMT, the Executive Member signs off.
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, assert_accessible, "director")
    open_oce_plan(page, assert_accessible)
    page.get_by_role("button", name="Approve at DMT").click()
    expect(status(page)).to_have_text("Executive Member review")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, assert_accessible, "councillor")
    open_oce_plan(page, assert_accessible)
    page.get_by_role("button", name="Approve and sign off").click()
    expect(status(page)).to_have_text("Signed off and launched")
    assert_accessible(page)

    # An edit after sign-off makes version 2; version 1 stays readable, unchanged.
    page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)
    sign_in(page, assert_accessible, "head")
    open_oce_plan(page, assert_accessible)
    page.get_by_role("link", name=re.compile(r"Edit the plan \(starts version 2\)")).click()
    assert_accessible(page)
    page.get_by_label("Description", exact=True).fill("Version two: a changed description.")
    page.get_by_role("button", name="Save the plan").click()
    expect(status(page)).to_have_text("Draft")
    expect(main).to_contain_text("(version 2)")
    expect(main).to_contain_text("Version two: a changed description.")
    assert_accessible(page)
    page.get_by_role("link", name="Signed-off version 1").click()
    expect(page.get_by_role("heading", name="Version 1, as signed off", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Version one: the office that serves the Executive.")
    expect(page.locator("main")).not_to_contain_text("Version two")
    assert_accessible(page)


def test_plan_pages_fit_a_phone_and_pass_axe(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "head")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/service-plans/")
    assert_accessible(page)
    page.locator("tr", has_text="2015/16 to 2017/18").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Chief Executive's Office", level=1)).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.locator("#table-3-1 ~ .kpi-table-scroll").get_by_role("link", name="OCE-A1").click()
    expect(page.get_by_role("heading", name="Action OCE-A1", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Some slippage")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("link", name="Back to the plan").click()
    assert_accessible(page)
    page.locator("#table-3-2 ~ .kpi-table-scroll").get_by_role("link", name="OCE-R2").click()
    expect(page.locator("main")).to_contain_text("Review overdue")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    for url in ("/service-plans/mine/", "/service-plans/corporate-risks/"):
        page.goto(url)
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), url


def _include_url() -> str:
    from service_plans.models import PlanIndicator

    entry = (
        PlanIndicator.objects.filter(indicator__reference="STF15").order_by("plan__financial_year").first()
    )
    return f"/service-plans/{entry.plan_id}/indicators/{entry.id}/include/"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_overviews_line_of_sight_objectives_and_import_pass_axe(kpi_page, demo_council, assert_accessible):
    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    page.set_viewport_size({"width": 375, "height": 800})
    for url, heading in (
        ("/service-plans/overview/?year=2016", "Service Improvement Plans overview"),
        ("/service-plans/themes/council-that-listens/", "A Council that Listens to Residents"),
        ("/service-plans/indicators/STF15/", "in Service Improvement Plans"),
        ("/service-plans/objectives/", "My objectives"),
        ("/service-plans/objectives/team/", "Team objectives"),
        ("/service-plans/corporate-risks/", "Corporate risks"),
        ("/service-plans/dmt/oce/", "plan actions and risks"),
        (_include_url(), "on the directorate scorecard"),
    ):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        assert_accessible(page)
        assert fits(page), url
    # The import page and its error, at desktop width.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/service-plans/")
    assert_accessible(page)
    page.locator("tr", has_text=PLAN_ROW).filter(has_text="Chief Executive's Office").get_by_role(
        "link"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Import from a workbook").click()
    expect(page.get_by_role("heading", name="Import from a workbook", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Plan workbook (.xlsx)").set_input_files(
        files=[{"name": "plan.xlsx", "mimeType": "application/octet-stream", "buffer": b"not a workbook"}]
    )
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("not a readable .xlsx")
    assert_accessible(page)
    # Table 3.3's "Include" page with its error summary (a reason is required).
    page.goto(_include_url())
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Reason for the change")
    assert_accessible(page)
