"""Plans overview (hub, CMT, audit), the DMT view, theme and indicator line of sight."""

import datetime

import pytest
from django.urls import reverse

from indicators.models import Indicator
from organisation.models import ReportingCalendar
from service_plans import selectors, services
from service_plans.models import PlanningCalendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def live_plan(hr_plan, plan_people, make_action_data, make_risk_data, theme):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 8, 20)})
    indicator = Indicator.objects.get(reference="STF90")
    indicator.themes.add(theme)
    services.action_save(
        user=plan_people["head"],
        plan_id=hr_plan.id,
        action_id=None,
        data=make_action_data(theme=theme, status="in_progress", percent_complete=5),
        indicators=[indicator],
    )
    risk = services.risk_save(
        user=plan_people["head"], plan_id=hr_plan.id, risk_id=None, data=make_risk_data()
    )
    risk.indicators.set([indicator])
    return hr_plan


def test_overview_marks_late_plans_and_missing_ones(live_plan, org):
    calendar, rows, _ = selectors.plans_overview(2016)
    by_service = {r.service.slug: r for r in rows}
    assert by_service["hr"].lateness == "sign_off_late"  # still a draft after 31 July
    assert by_service["waste"].plan is None and by_service["waste"].lateness == "no_plan_late"
    PlanningCalendar.objects.create(financial_year=2016, sign_off_due=datetime.date(2016, 9, 30))
    _, rows, _ = selectors.plans_overview(2016)
    assert {r.service.slug: r.lateness for r in rows}["hr"] == "draft_late"


def test_dmt_view_counts_progress_and_risks_above_target(live_plan, org):
    (row,) = selectors.dmt_view(org["oce"])
    assert row.counts["off_track"] == 1  # 5 % done, 38 % of the time gone
    assert [r.risk.reference for r in row.risks_above_target] == ["HR-R1"]


@pytest.mark.parametrize(
    "who,status", [("hub", 200), ("cmt", 200), ("auditor", 200), ("director", 403), ("head", 403)]
)
def test_overview_access(client, live_plan, plan_people, who, status):
    client.force_login(plan_people[who])
    assert client.get(reverse("service_plans:overview")).status_code == status
    assert client.get(reverse("service_plans:overview") + "?year=abc").status_code == status


@pytest.mark.parametrize(
    "who,status",
    [("director", 200), ("cmt", 200), ("other_director", 403), ("head", 403), ("councillor", 403)],
)
def test_dmt_access(client, live_plan, plan_people, org, who, status):
    client.force_login(plan_people[who])
    assert client.get(reverse("service_plans:dmt", args=[org["oce"].slug])).status_code == status


def test_anonymous_is_sent_to_login_from_overviews(client, live_plan, org, theme):
    for url in (
        reverse("service_plans:overview"),
        reverse("service_plans:dmt", args=[org["oce"].slug]),
        reverse("service_plans:theme", args=[theme.slug]),
        reverse("service_plans:indicator", args=["STF90"]),
        reverse("service_plans:corporate_risks"),
    ):
        assert client.get(url).status_code == 302


def test_line_of_sight_pages(client, live_plan, plan_people, theme):
    client.force_login(plan_people["head"])
    page = client.get(reverse("service_plans:theme", args=[theme.slug])).content.decode()
    assert "HR-A1" in page and "STF90" in page
    page = client.get(reverse("service_plans:indicator", args=["STF90"])).content.decode()
    assert "HR-A1" in page and "HR-R1" in page
    # Someone who may not read the plan sees neither its actions nor its risks.
    client.force_login(plan_people["other_head"])
    response = client.get(reverse("service_plans:indicator", args=["STF90"]))
    assert response.status_code == 403  # STF90 (unpublished, HR) is outside their scope too
    page = client.get(reverse("service_plans:theme", args=[theme.slug])).content.decode()
    assert "HR-A1" not in page
    assert client.get(reverse("service_plans:theme", args=["nope"])).status_code == 404
    assert client.get(reverse("service_plans:indicator", args=["NOPE"])).status_code == 404


def test_corporate_risks_lists_only_cmt_and_executive(client, live_plan, plan_people, make_risk_data):
    services.risk_save(
        user=plan_people["head"],
        plan_id=live_plan.id,
        risk_id=None,
        data=make_risk_data(reference="HR-R2", escalation="cmt", escalation_reason="Council-wide"),
    )
    client.force_login(plan_people["cmt"])
    page = client.get(reverse("service_plans:corporate_risks")).content.decode()
    assert "HR-R2" in page and "HR-R1" not in page
    client.force_login(plan_people["head"])
    assert client.get(reverse("service_plans:corporate_risks")).status_code == 403
