"""The clinic journey in real Chromium, every page checked with axe-core: the hub sees a suggested
clinic, calls it, schedules it with three attendees (one external), generates the pack, records
the clinic with a remedial plan and a six-month trajectory; the councillor and CMT sign it off;
the indicator page then shows the trajectory, and a new result worse than it is marked off
trajectory.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_clinics.py -q
"""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REFERENCE = "CEO03"  # the demo's suggestion: special cause concerning, in the Leader's portfolio


def sign_in(page, assert_accessible, username: str) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill("kpi-demo")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page)


def sign_out(page, assert_accessible) -> None:
    # Wait for the signed-out page itself: checking straight after the click ran axe on the page
    # being left, and the new one was reported as never checked (a flaky teardown error).
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert_accessible(page)


def test_from_suggestion_to_a_signed_off_remedial_plan_tracked_on_the_indicator_page(
    kpi_page, demo_council, assert_accessible
):
    from django.contrib.auth import get_user_model

    from clinics.models import Clinic, RemedialPlan
    from indicators.models import Assessment, Indicator

    page = kpi_page
    people = {
        u.username: f"{u.get_full_name() or u.username} ({u.profile.get_role_display()})"
        for u in get_user_model().objects.select_related("profile").filter(username__in=["director", "head"])
    }
    indicator = Indicator.objects.get(reference=REFERENCE)
    latest = Assessment.objects.get(indicator=indicator, is_latest=True)
    up_is_bad = indicator.polarity == "up_is_bad"
    step = Decimal("-1") if up_is_bad else Decimal("1")  # each month a little better

    sign_in(page, assert_accessible, "hub")
    page.goto("/exceptions/")
    assert_accessible(page)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Clinics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance clinics")
    assert_accessible(page)
    suggestion = page.locator(f"#suggestion-{REFERENCE}")
    expect(suggestion).to_contain_text("Clinic suggested")
    expect(suggestion).to_contain_text("Special cause")
    suggestion.get_by_label(f"Note on the suggestion for {REFERENCE}").fill(
        "Backlog of late requests: call a clinic."
    )
    suggestion.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REFERENCE)
    assert_accessible(page)

    # Schedule with three attendees: the director chairs, the head of service, an external adviser.
    page.get_by_role("link", name="Schedule the clinic").click()
    assert_accessible(page)
    day = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Start time", exact=True).fill("14:00")
    page.get_by_label("Place", exact=True).fill("West Offices, Room 2")
    page.get_by_label("Chair", exact=True).select_option(label=people["director"])
    page.locator("#attendee-0-role").select_option("head_of_service")
    page.locator("#attendee-0-user").select_option(label=people["head"])
    page.locator("#attendee-1-role").select_option("external")
    page.locator("#attendee-1-name").fill("Dr Ann Expert")
    page.locator("#attendee-1-email").fill("ann@example.invalid")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("3 invitations sent")
    expect(page.locator("#clinic-when")).to_contain_text(day.strftime("%-d %B %Y"))
    assert_accessible(page)
    assert sorted(m.to[0] for m in mail.outbox)[0] == "ann@example.invalid"

    # The pack, then the record.
    page.get_by_role("link", name="Generate the clinic pack").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(f"^{REFERENCE}"))).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name="Record the clinic").click()
    assert_accessible(page)
    page.get_by_label("Minutes", exact=True).fill("The head of service presented the backlog and its causes.")
    page.get_by_label(re.compile("^Have targets been met")).fill("No: missed since the autumn.")
    page.get_by_label(re.compile("^If performance is poor")).fill("Capacity: two long-term absences.")
    page.get_by_label(re.compile("^Is there an opportunity")).fill("Yes: Legal Services lend an officer.")
    page.get_by_label("Agree a remedial plan", exact=True).check()
    page.get_by_role("button", name="Record the clinic as held").click()
    expect(page.locator("#clinic-decision")).to_contain_text("Agree a remedial plan")
    assert_accessible(page)

    # The remedial plan with a six-month trajectory.
    page.get_by_role("link", name=f"Agree a remedial plan for {REFERENCE}").click()
    assert_accessible(page)
    # A first try without an action shows the error summary and saves nothing.
    page.get_by_role("button", name="Save the draft remedial plan").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least one action")
    assert_accessible(page)
    page.get_by_label("Plan owner", exact=True).select_option(label=people["head"])
    page.get_by_label("How will the recovery be monitored?").fill("Monthly report to DMT and the hub.")
    page.get_by_label("How often", exact=True).select_option("monthly")
    page.get_by_label(re.compile("^When is the plan recovered")).fill("Three months on target in a row.")
    months = [datetime.date(2016, m, 1) for m in range(1, 7)]
    page.get_by_label("Recovery by the end of", exact=True).select_option(label="Jun 2016")
    expected = [latest.value + step * (n + 1) for n in range(6)]
    for month, value in zip(months, expected, strict=True):
        page.get_by_label(month.strftime("%b %Y"), exact=True).fill(str(value))
    page.locator("#action-0-description").fill("Borrow an officer from Legal Services until March.")
    page.locator("#action-0-owner").select_option(label=people["head"])
    page.locator("#action-0-due").fill("2016-03-31")
    page.get_by_role("button", name="Save the draft remedial plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remedial plan")
    expect(page.locator("#plan-status")).to_contain_text("Draft")
    assert_accessible(page)
    plan = RemedialPlan.objects.get(indicator=indicator, clinic__status=Clinic.Status.HELD, status="draft")
    plan_url = f"/clinics/plans/{plan.id}/"

    sign_out(page, assert_accessible)
    sign_in(page, assert_accessible, "councillor")
    page.goto(plan_url)
    assert_accessible(page)
    page.get_by_role("button", name="Sign off as Executive Member").click()
    expect(page.locator("#member-sign-off")).to_contain_text("Signed off")
    assert_accessible(page)
    sign_out(page, assert_accessible)
    sign_in(page, assert_accessible, "cmt")
    page.goto(plan_url)
    assert_accessible(page)
    page.get_by_role("button", name="Sign off as CMT").click()
    expect(page.locator("#plan-status")).to_contain_text("Signed off")
    assert_accessible(page)

    # A new January result worse than the trajectory is marked off trajectory on the indicator page.
    from indicators.models import Period, Result
    from indicators.services.assessments import recompute_assessments
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 2, 20)})
    january, _ = Period.objects.get_or_create(
        kind="month",
        start=months[0],
        defaults={"end": datetime.date(2016, 1, 31), "label": "Jan 2016", "financial_year": 2015},
    )
    Result.objects.create(
        indicator=indicator, period=january, value=expected[0] - step * 3, status="approved"
    )
    recompute_assessments(indicator_ids=[indicator.id])
    page.goto(f"/indicators/{REFERENCE}/")
    table = page.locator(f"#trajectory-{plan.id}")
    expect(table).to_be_visible()
    expect(table.locator("tr", has_text="Jan 2016")).to_contain_text("Off trajectory")
    expect(table.locator("tr", has_text="Feb 2016")).to_contain_text("Awaiting result")
    # The chart draws the trajectory (the plan's targets of kind "trajectory") beside the annual
    # target, with January's result marked off it by a cross.
    data = json.loads(page.locator("#indicator-chart-data").text_content())
    names = [t.get("name") for t in data["data"]]
    assert "Remedial plan trajectory (expected)" in names and "Off trajectory" in names
    line = next(t for t in data["data"] if t["name"] == "Remedial plan trajectory (expected)")
    assert len(line["x"]) == 6
    assert_accessible(page)
