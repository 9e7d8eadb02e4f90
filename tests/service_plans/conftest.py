"""A plan for HR (OCE) with its people: head, director, councillor, buddy, and indicators."""

import datetime

import pytest

from indicators.models import Indicator
from organisation.models import Role, Theme
from service_plans import services
from service_plans.models import Plan


@pytest.fixture
def plan_people(users, make_user, org):
    org["portfolio"].themes.add(org["theme"])
    return {
        **users,
        "buddy": make_user(Role.HEAD, "buddy", directorate=org["place"], service=org["waste"]),
        "other_head": make_user(Role.HEAD, "other_head", directorate=org["place"], service=org["waste"]),
        "other_councillor": make_user(Role.COUNCILLOR, "other_councillor"),
        "other_director": make_user(Role.DIRECTOR, "other_director", directorate=org["place"]),
    }


@pytest.fixture
def indicator_factory(org):
    def make(reference, category="performance", service=None, **kw):
        return Indicator.objects.create(
            reference=reference,
            title=f"Indicator {reference}",
            category=category,
            polarity="up_is_good",
            frequency="quarterly",
            service=service or org["hr"],
            portfolio=org["portfolio"],
            **kw,
        )

    return make


@pytest.fixture
def hr_plan(plan_people, org, indicator_factory):
    indicator_factory("STF90", "workforce")
    plan = services.plan_create(
        user=plan_people["head"],
        service=org["hr"],
        financial_year=2016,
        years_covered=3,
        buddy=plan_people["buddy"],
    )
    return Plan.objects.get(id=plan.id)


def action_data(**overrides):
    data = {
        "reference": "HR-A1",
        "theme": None,
        "title": "Roll out the new attendance policy",
        "kind": "bau",
        "accountable_officer": None,
        "start_date": datetime.date(2016, 4, 1),
        "due_date": datetime.date(2017, 3, 31),
        "frequency": "quarterly",
        "status": "not_started",
        "percent_complete": 0,
        "completed_on": None,
        "status_reason": "",
    }
    data.update(overrides)
    return data


def risk_data(**overrides):
    data = {
        "reference": "HR-R1",
        "cause": "Because of budget reductions",
        "event": "there is a risk that sickness absence rises",
        "consequence": "leading to service failure",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "current_likelihood": 3,
        "current_impact": 4,
        "target_likelihood": 2,
        "target_impact": 3,
        "target_by": datetime.date(2017, 3, 31),
        "target_reason": "",
        "existing_controls": "Attendance policy",
        "mitigation": "Manager training",
        "responsible_officer": None,
        "review_date": datetime.date(2016, 6, 30),
        "escalation": "service",
        "escalation_reason": "",
        "exempt": False,
        "is_closed": False,
    }
    data.update(overrides)
    return data


@pytest.fixture
def theme(org):
    return Theme.objects.get(id=org["theme"].id)


@pytest.fixture
def make_action_data():
    return action_data


@pytest.fixture
def make_risk_data():
    return risk_data
