"""The committee report journey in real Chromium, every page checked with axe-core: the hub
generates the Q3 2015/16 Executive report (seeing its progress), writes the narrative the
checklist says is missing, a director signs it off, the hub publishes it, and an anonymous
visitor downloads it from /public/.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_reports.py -q
"""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exception_lists(demo_council):
    from reporting.exceptions import exception_lists_build_due

    exception_lists_build_due(as_of=datetime.date(2016, 1, 20))


def sign_in(page, assert_accessible, username):
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert_accessible(page)


def sign_out(page, assert_accessible):
    # Wait for the signed-out page itself: checking straight after the click ran axe on the page
    # being left, and the new one was reported as never checked (a flaky teardown error).
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)


def publish_cmt_q3():
    """The Q3 2015/16 CMT report, written by the hub, signed off by the director, published."""
    from django.contrib.auth import get_user_model

    from indicators.models import Period
    from reporting.reports import services

    hub = get_user_model().objects.get(username="hub")
    director = get_user_model().objects.get(username="director")
    report = services.start_generation(hub, "cmt", Period.objects.get(label="Q3 2015/16").id)
    for slot, label in services.narrative_slots(report):
        services.save_narrative(hub, report, slot, f"Written for {label}.")
    services.submit_for_review(hub, report)
    services.sign_off(director, report)
    services.publish(hub, report, confirmed=True, is_public=False)
    return report


def test_executive_report_from_generation_to_public_download(kpi_page, exception_lists, assert_accessible):
    from django.contrib.auth import get_user_model

    from reporting.reports import services
    from reporting.reports.models import Report

    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Committee reports")
    assert_accessible(page)
    page.get_by_label("Kind of report").select_option(label="Executive quarterly progress report")
    page.get_by_label("Period", exact=True).select_option(label="Q3 2015/16")
    page.get_by_role("button", name="Generate report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Executive quarterly progress report, Q3 2015/16"
    )
    progress = page.locator("#generation-bar")
    expect(progress).to_have_attribute("value", "100")
    expect(page.locator("#generation-progress")).to_contain_text(
        "Generated from the data as at 20 January 2016"
    )
    expect(page.locator("#checklist")).to_be_visible()
    assert_accessible(page)

    # Colleagues have written most of it; the checklist lists what is still missing.
    report = Report.objects.get(kind="executive")
    hub = get_user_model().objects.get(username="hub")
    slots = services.narrative_slots(report)
    exception_slot, exception_label = next((s, label) for s, label in slots if s.startswith("exception:"))
    for slot, label in slots:
        if slot not in ("summary", exception_slot):
            services.save_narrative(hub, report, slot, f"Written for {label}.")
    page.reload()
    assert_accessible(page)
    checklist = page.get_by_role("region", name="Narrative checklist")
    expect(checklist.get_by_text("Missing")).to_have_count(2)
    for label, words in (
        ("Overall summary", "Most outcome indicators are **on track**; <script>x</script> is text."),
        (exception_label, "Sickness rose in the autumn; a clinic is booked for February."),
    ):
        checklist.get_by_role("link", name=f"Write {label}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        assert_accessible(page)
        page.get_by_label("Narrative", exact=True).fill(words)
        page.get_by_role("button", name="Save narrative").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Saved")
        assert_accessible(page)
    expect(page.get_by_text("Every part has its narrative.")).to_be_visible()
    expect(page.locator("article").get_by_text("on track", exact=True)).to_be_visible()
    page.get_by_role("button", name="Send for review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sent for review")
    assert_accessible(page)
    sign_out(page, assert_accessible)

    sign_in(page, assert_accessible, "director")
    page.goto(f"/reports/{report.id}/")
    assert_accessible(page)
    page.get_by_role("button", name="Sign off").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Signed off")
    assert_accessible(page)
    sign_out(page, assert_accessible)

    sign_in(page, assert_accessible, "hub")
    page.goto(f"/reports/{report.id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Publish…").click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()  # without the confirmation: refused
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you want to publish")
    assert_accessible(page)
    page.get_by_label("Public: show it on /public/").check()
    page.get_by_label("I confirm this report is to be published as it is").check()
    # Publishing freezes the report; its PDFs are made by a task, eager in this server (~12 s for
    # the demo's 38 pages), so the page comes back published.
    page.get_by_role("button", name="Publish").click(timeout=90_000)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Published version 1", timeout=90_000
    )
    report.refresh_from_db()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(report.digest)
    expect(page.locator(".kpi-digest")).to_have_text(report.digest)
    assert_accessible(page)
    sign_out(page, assert_accessible)

    # Anonymous: /public/ → published reports → the report → its PDF.
    page.goto("/public/")
    assert_accessible(page)
    page.get_by_role("link", name="Published reports to the Executive and the council's committees").click()
    assert_accessible(page)
    page.get_by_role("link", name="Executive quarterly progress report, Q3 2015/16, version 1").click()
    expect(page.locator(".kpi-digest")).to_have_text(report.public_digest)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    content = open(download_info.value.path(), "rb").read()
    assert content.startswith(b"%PDF")
    assert content == bytes(report.files.get(audience="public", format="pdf").content)


def test_report_page_fits_a_phone(kpi_page, exception_lists, assert_accessible):
    from django.contrib.auth import get_user_model

    from indicators.models import Period
    from reporting.reports import services

    hub = get_user_model().objects.get(username="hub")
    report = services.start_generation(hub, "executive", Period.objects.get(label="Q3 2015/16").id)
    page = kpi_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, assert_accessible, "hub")
    page.goto(f"/reports/{report.id}/")
    assert_accessible(page)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the report page scrolls sideways at 375 px ({scroll_width} px wide)"


def test_calendar_returns_and_version_pages_are_accessible(kpi_page, exception_lists, assert_accessible):
    report = publish_cmt_q3()
    page = kpi_page
    sign_in(page, assert_accessible, "hub")
    for path, heading in (
        ("/reports/calendar/", "Committee calendar"),
        ("/reports/returns/", "Returns to central government"),
        (f"/reports/{report.id}/", report.title),
        (f"/reports/{report.id}/new-version/", f"Issue version 2 of {report.title}"),
        ("/public/reports/", "Published performance reports"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page)
    page.goto("/reports/returns/")
    expect(page.get_by_text("overdue", exact=False).first).to_be_visible()
    assert_accessible(page)


def test_delivery_plan_exception_report_and_publishing_pages_are_accessible(
    kpi_page, exception_lists, assert_accessible
):
    from reporting.reports.models import DeliveryPlan, Report

    plan = DeliveryPlan.objects.get(board__slug="corporate-and-scrutiny-management-committee")
    item = plan.items.order_by("order").first()
    page = kpi_page
    sign_in(page, assert_accessible, "scrutiny")
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_role("link", name="Boards' annual delivery plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual delivery plans")
    assert_accessible(page)
    page.get_by_role("link", name="Corporate and Scrutiny Management Committee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual delivery plan 2015/16")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the delivery plan scrolls sideways at 375 px ({width} px wide)"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"/reports/delivery-plans/{plan.id}/priorities/{item.id}/")
    assert_accessible(page)
    page.get_by_label("Status").select_option(label="Off track")
    page.get_by_role("button", name="Save the priority").click()  # no reason: refused by the field
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say why the priority changes")
    assert_accessible(page)
    page.get_by_label("Why does it change?").fill("The task group has not met.")
    page.get_by_role("button", name="Save the priority").click()
    expect(page.get_by_text("Why: The task group has not met.")).to_be_visible()
    assert_accessible(page)

    # The board's member asks for an exception report for Q3.
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_label("Period", exact=True).select_option(label="Q3 2015/16")
    page.get_by_role("button", name="Generate the exception report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Exception report: Corporate and Scrutiny Management Committee, Q3 2015/16"
    )
    expect(page.locator("#generation-bar")).to_have_attribute("value", "100")
    assert_accessible(page)
    sign_out(page, assert_accessible)

    # A report being published: frozen, its files' progress shown until they are stored.
    report = publish_cmt_q3()
    Report.objects.filter(pk=report.pk).update(status="publishing", files_progress=50)
    sign_in(page, assert_accessible, "hub")
    page.goto(f"/reports/{report.id}/")
    expect(page.locator("#files-bar")).to_have_attribute("value", "50")
    assert_accessible(page)
