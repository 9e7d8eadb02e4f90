"""Hypothesis: hostile values on the remedial plan form (its Service Improvement Plan links
included), the clinic request (its plan action or risk source included) and Table 3.3's Include
form never give a 500 and never leave a partial write."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinics.models import Clinic, RemedialAction, RemedialPlan, TrajectoryPoint
from indicators.models import Indicator, Target
from service_plans.models import Action, Plan, PlanIndicator

pytestmark = pytest.mark.django_db

junk = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(
        ["", "new", "NaN", "1e999", "2016-02-30", "\x00", "<script>", "９", "¹", "٣", "-1", "99999999999"]
    ),
)
PLAN_FIELDS = [
    "owner",
    "monitoring",
    "monitoring_frequency",
    "recovery_criteria",
    "recovery",
    "trajectory-2016-01",
    "trajectory-2016-02",
    "action-0-description",
    "action-0-owner",
    "action-0-due",
    "action-0-plan_action",
    "action-1-plan_action",
]
REQUEST_FIELDS = ["indicators", "reason", "urgency", "source", "source_id", "period"]
INCLUDE_FIELDS = ["include", "reason", "edit_count"]


def _snapshot():
    return (
        RemedialPlan.objects.count(),
        RemedialAction.objects.count(),
        TrajectoryPoint.objects.count(),
        Target.all_kinds.count(),
        Action.objects.count(),
        Clinic.objects.count(),
        Indicator.history.count(),
        list(Plan.objects.values_list("edit_count", "version", "status")),
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    plan=st.dictionaries(st.sampled_from(PLAN_FIELDS), junk),
    request=st.dictionaries(st.sampled_from(REQUEST_FIELDS), junk),
    include=st.dictionaries(st.sampled_from(INCLUDE_FIELDS), junk),
)
def test_hostile_values_never_500_nor_half_write(client, held_clinic, users, org, plan, request, include):
    service_plan, _ = Plan.objects.get_or_create(service=org["hr"], financial_year=2015)
    Action.objects.get_or_create(
        plan=service_plan,
        reference="HR-A1",
        defaults={
            "title": "Review",
            "start_date": datetime.date(2015, 4, 1),
            "due_date": datetime.date(2016, 3, 31),
        },
    )
    entry, _ = PlanIndicator.objects.get_or_create(plan=service_plan, indicator=held_clinic.indicators.get())
    client.force_login(users["hub"])
    for url, data in (
        (f"/clinics/{held_clinic.id}/plans/new/?indicator=STF15", {**plan, "indicator": "STF15"}),
        ("/clinics/request/", request),
        (f"/service-plans/{service_plan.id}/indicators/{entry.id}/include/", include),
    ):
        before = _snapshot()
        response = client.post(url, data)
        assert response.status_code in (302, 400, 403, 404), (url, data, response.status_code)
        if response.status_code != 302:
            assert _snapshot() == before, (url, data)
        RemedialPlan.objects.all().delete()  # the next example starts from a held clinic again
        Clinic.objects.exclude(id=held_clinic.id).delete()
