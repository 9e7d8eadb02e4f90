"""Hypothesis: hostile form values on plan, action and risk forms never give a 500 and never half-write."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisation.models import ReportingCalendar
from service_plans.models import Action, Plan, PlanChange, Risk

pytestmark = pytest.mark.django_db

junk = st.one_of(
    st.text(max_size=60),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(
        ["", "NaN", "Infinity", "-0", "1e999", "2016-02-30", "0000-00-00", "\x00", "<script>", "９"]
    ),
)
ACTION_FIELDS = [
    "reference",
    "title",
    "kind",
    "start_date",
    "due_date",
    "frequency",
    "status",
    "percent_complete",
    "completed_on",
    "status_reason",
    "edit_count",
    "theme",
    "accountable_officer",
    "outcome_indicators",
]
RISK_FIELDS = [
    "reference",
    "cause",
    "event",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "inherent_likelihood",
    "escalation",
    "review_date",
    "target_by",
    "edit_count",
]
PLAN_FIELDS = [
    "years_covered",
    "staff_headcount",
    "staff_fte",
    "budget",
    "description",
    "portfolio",
    "buddy",
    "edit_count",
]


def _snapshot():
    return (
        Action.objects.count(),
        Risk.objects.count(),
        PlanChange.objects.count(),
        list(Plan.objects.values_list("description", "staff_headcount", "edit_count", "version")),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    action=st.dictionaries(st.sampled_from(ACTION_FIELDS), junk),
    risk=st.dictionaries(st.sampled_from(RISK_FIELDS), junk),
    plan=st.dictionaries(st.sampled_from(PLAN_FIELDS), junk),
)
def test_hostile_values(client, hr_plan, plan_people, action, risk, plan):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 5, 20)})
    client.force_login(plan_people["head"])
    for url, data in (
        (reverse("service_plans:action_create", args=[hr_plan.id]), action),
        (reverse("service_plans:risk_create", args=[hr_plan.id]), risk),
        (reverse("service_plans:edit", args=[hr_plan.id]), plan),
    ):
        before = _snapshot()
        response = client.post(url, data)
        assert response.status_code in (302, 400), (url, data, response.status_code)
        if response.status_code == 400:
            assert _snapshot() == before, (url, data)
