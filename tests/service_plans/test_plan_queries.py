"""Plan, action and risk pages run a fixed number of SQL queries at 2 and 50 actions (and risks)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Indicator
from organisation import roles
from organisation.models import ReportingCalendar
from service_plans import selectors, services
from service_plans.models import Action, ActionUpdate, PlanIndicator, Risk, RiskMatrix

pytestmark = pytest.mark.django_db

SIZES = [2, 50]


@pytest.fixture
def sized_plan(hr_plan, plan_people, build_council):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})

    def build(size):
        indicators = build_council(size, months=6, prefix="Q")
        matrix, _ = RiskMatrix.objects.get_or_create(name="Corporate risk matrix", version=1)
        actions = Action.objects.bulk_create(
            Action(
                plan=hr_plan,
                reference=f"A{n}",
                title=f"Action {n}",
                accountable_officer=plan_people["officer"],
                start_date=datetime.date(2015, 4, 1),
                due_date=datetime.date(2016, 3, 31),
                status="in_progress",
                percent_complete=n % 100,
            )
            for n in range(size)
        )
        through = Action.outcome_indicators.through
        through.objects.bulk_create(
            through(action_id=a.id, indicator_id=indicators[n].id) for n, a in enumerate(actions)
        )
        ActionUpdate.objects.bulk_create(
            ActionUpdate(
                action=a,
                month=datetime.date(2015, 12, 1),
                status="in_progress",
                percent_complete=1,
                commentary="Update",
                written_by=plan_people["officer"],
            )
            for a in actions
        )
        risks = Risk.objects.bulk_create(
            Risk(
                plan=hr_plan,
                reference=f"R{n}",
                cause="c",
                event="e",
                matrix=matrix,
                current_likelihood=3,
                current_impact=n % 5 + 1,
                responsible_officer=plan_people["officer"],
                escalation="cmt",
            )
            for n in range(size)
        )
        Risk.mitigating_actions.through.objects.bulk_create(
            Risk.mitigating_actions.through(risk_id=r.id, action_id=actions[n].id)
            for n, r in enumerate(risks)
        )
        PlanIndicator.objects.bulk_create(
            PlanIndicator(plan=hr_plan, indicator=i, order=n) for n, i in enumerate(indicators)
        )
        return hr_plan, actions, risks

    return build


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("size", SIZES)
def test_plan_page_selector(size, sized_plan, plan_people, django_assert_num_queries):
    plan, _, _ = sized_plan(size)
    user = plan_people["head"]
    roles.role_of(user)
    plan = services.plan_for(user, plan.id)  # as the view fetches it: service, directorate, portfolio
    # calendar, actions, outcome indicators, updates, risks, mitigating actions, risk indicators,
    # Table 3.3 entries, visible ids, year assessments, latest assessments, transitions, comments,
    # versions, changes, savings
    with django_assert_num_queries(16):
        page = selectors.plan_page(user, plan)
    assert len(page.actions) == size and len(page.indicators) == size


def test_pages_have_fixed_query_counts(client, sized_plan, plan_people):
    client.force_login(plan_people["head"])
    counts = {}
    for size in SIZES:
        plan, actions, risks = sized_plan(size) if size == SIZES[0] else _grow(sized_plan, size)
        counts[size] = {
            "plan": count(client, plan.get_absolute_url()),
            "action": count(client, actions[0].get_absolute_url()),
            "risk": count(client, risks[0].get_absolute_url()),
            "list": count(client, reverse("service_plans:list")),
            "mine": count(client, reverse("service_plans:mine")),
        }
    assert counts[SIZES[0]] == counts[SIZES[1]], counts


def _grow(sized_plan, size):
    Action.objects.all().delete()
    Risk.objects.all().delete()
    PlanIndicator.objects.all().delete()
    Indicator.objects.filter(reference__startswith="Q").delete()
    return sized_plan(size)


@pytest.mark.parametrize("size", SIZES)
def test_dmt_view_and_overview(size, sized_plan, org, django_assert_num_queries):
    sized_plan(size)
    # plans, actions, risks (+ calendar)
    with django_assert_num_queries(4):
        rows = selectors.dmt_view(org["oce"])
    assert len(rows) == 1
    # calendar row, reporting date, plans, submitted transitions, services
    with django_assert_num_queries(5):
        selectors.plans_overview(2016)


@pytest.mark.parametrize("size", SIZES)
def test_corporate_risks_and_line_of_sight(size, sized_plan, plan_people, django_assert_num_queries):
    _, actions, _ = sized_plan(size)
    user = plan_people["cmt"]
    roles.role_of(user)
    with django_assert_num_queries(4):  # calendar, risks, mitigating actions, indicators
        rows = selectors.corporate_risks(user)
    assert len(rows) == size
    indicator = actions[0].outcome_indicators.get()
    # calendar, actions, their indicators, their updates, risks (none name it here)
    with django_assert_num_queries(5):
        selectors.indicator_line_of_sight(user, indicator)
