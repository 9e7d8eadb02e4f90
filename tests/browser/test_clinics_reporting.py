"""Clinics where reporting shows them, in real Chromium, every page checked with axe-core: the
exception list's "clinic suggested" reason, marks and request link; the scorecard's and indicator
page's clinic marks; the remedial plan's trajectory on the indicator chart; closing a definition
review; revising a returned remedial plan through its form.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_clinics_reporting.py -q
"""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_clinics import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exception_list_scorecard_and_chart_show_clinics(kpi_page, demo_council, assert_accessible):
    from clinics.models import RemedialPlan
    from indicators.models import Assessment
    from reporting.exceptions import exception_list_build
    from reporting.models import ExceptionEntry

    page = kpi_page
    plan = RemedialPlan.objects.get(indicator__reference="CSC03")
    latest = Assessment.objects.select_related("period").get(indicator__reference="CSC03", is_latest=True)
    exception_list_build(period=latest.period)  # the demo builds no lists; CSC03 is forecast red
    entry = ExceptionEntry.objects.select_related("period").get(
        indicator__reference="CSC03", period=latest.period
    )
    sign_in(page, assert_accessible, "cmt")
    page.goto(f"/exceptions/?period={entry.period.key}")
    cell = page.locator("#clinic-CSC03")
    expect(cell).to_contain_text("Clinic held")
    expect(cell).to_contain_text("Remedial plan in progress: being tracked")
    assert_accessible(page)
    cell.get_by_role("link", name="Remedial plan in progress: being tracked").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remedial plan")
    assert_accessible(page)

    # A suggested clinic on the list carries its reason and a pre-filled request link.
    page.goto(f"/exceptions/?period={entry.period.key}")
    assert_accessible(page)
    suggested = page.locator("td", has_text="Clinic suggested").first
    if suggested.count():
        suggested.get_by_role("link", name="Request a clinic").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Request")
        assert_accessible(page)

    page.goto("/scorecards/cmt/")
    row = page.locator('tr[data-reference="CSC03"]')
    if row.count():
        expect(row).to_contain_text("Clinic held")
    assert_accessible(page)

    page.goto("/indicators/CSC03/")
    expect(page.locator(".kpi-clinic-mark").first).to_contain_text("Clinic held")
    data = json.loads(page.locator("#indicator-chart-data").text_content())
    line = next(t for t in data["data"] if t["name"] == "Remedial plan trajectory (expected)")
    assert len(line["x"]) == plan.trajectory.count()
    expect(page.locator("figcaption")).to_contain_text("remedial plan's expected trajectory")
    expect(page.locator("#indicator-chart .legendtext", has_text="Remedial plan trajectory")).to_be_visible()
    assert_accessible(page)

    # CMT's home page lists the open clinics (FIN04's request); the dashboard marks CSC03's clinic.
    page.goto("/")
    expect(page.locator("#open-clinics-heading")).to_be_visible()
    expect(page.locator("main")).to_contain_text("FIN04")
    assert_accessible(page)
    page.goto("/dashboard/?show=portfolio:" + plan.indicator.portfolio.slug)
    expect(page.locator(".govuk-task-list__item", has_text="CSC03").first).to_contain_text("Clinic held")
    assert_accessible(page)


def test_the_hub_closes_a_review_and_revises_a_returned_plan(kpi_page, demo_council, assert_accessible):
    from django.utils import timezone

    from clinics.models import Clinic, RemedialPlan

    page = kpi_page
    held = Clinic.objects.get(indicators__reference="CSC03")
    misleading = Clinic.objects.create(
        reason="The measure counts repeat callers twice.",
        requested_at=timezone.now(),
        status="held",
        date=held.date,
        start_time=held.start_time,
        place="West Offices",
        held_at=timezone.now(),
        minutes="Discussed the count.",
        decision="misleading",
        decision_note="Repeat callers are counted twice.",
    )
    misleading.indicators.set(held.indicators.all())
    plan = RemedialPlan.objects.get(indicator__reference="CSC03")
    RemedialPlan.objects.filter(id=plan.id).update(
        status="returned", returned_reason="Say who covers the web team while the adviser moves."
    )

    sign_in(page, assert_accessible, "hub")
    page.goto(f"/clinics/{misleading.id}/")
    assert_accessible(page)
    page.get_by_role("button", name="Close the definition review").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What did the review decide?").fill(
        "Definition kept: repeat callers are de-duplicated."
    )
    page.get_by_role("button", name="Close the definition review").click()
    expect(page.locator("#definition-review-status")).to_contain_text("Closed")
    assert_accessible(page)

    page.goto(f"/clinics/plans/{plan.id}/")
    assert_accessible(page)
    page.get_by_role("link", name="Edit the plan and resubmit it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Revise the returned remedial plan")
    expect(page.locator("#returned-reason")).to_contain_text("web team")
    assert_accessible(page)
    page.get_by_role("button", name="Resubmit the revised plan for sign-off").click()  # no note yet
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what changed")
    assert_accessible(page)
    page.get_by_label("What changed since the plan was returned?").fill(
        "The web team is covered by an agency adviser until March."
    )
    page.get_by_role("button", name="Resubmit the revised plan for sign-off").click()
    expect(page.locator("#plan-status")).to_contain_text("Draft")
    assert_accessible(page)
    sign_out(page, assert_accessible)
