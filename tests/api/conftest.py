"""API fixtures: a small council (tests/conftest.py), tokens for its users, and a client."""

import datetime
import importlib.util
import pathlib

import pytest
from django.core.cache import cache

from api import tokens
from api.models import ApiToken
from service_plans.models import Action, ActionUpdate, Risk, RiskMatrix, RiskReview


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def generous_limits(settings):
    """For tests that make many requests from one address: limits out of the way."""
    settings.KPI_API_RATE_PER_TOKEN = 100_000
    settings.KPI_API_RATE_PER_ADDRESS = 100_000


@pytest.fixture
def token_for(db):
    def make(user, scope=ApiToken.Scope.READ, days=30):
        _, raw = tokens.token_create(user=user, name="test feed", scope=scope, days=days)
        return raw

    return make


@pytest.fixture
def api_get(client):
    def get(path, token=None, **headers):
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client.get(path, **headers)

    return get


# The clinic, plan and report fixtures of their own test folders, reused here rather than copied.
def _conftest(folder: str):
    path = pathlib.Path(__file__).parent.parent / folder / "conftest.py"
    spec = importlib.util.spec_from_file_location(f"_api_reuses_{folder.replace('/', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_clinics = _conftest("clinics")
red_indicator, future_day, requested_clinic = (
    _clinics.red_indicator,
    _clinics.future_day,
    _clinics.requested_clinic,
)
scheduled_clinic, held_clinic, plan_inputs = (
    _clinics.scheduled_clinic,
    _clinics.held_clinic,
    _clinics.plan_inputs,
)
_plans = _conftest("service_plans")
plan_people, indicator_factory, hr_plan = _plans.plan_people, _plans.indicator_factory, _plans.hr_plan
_reports = _conftest("reporting/reports")
report_council, q3, executive_q3 = _reports.report_council, _reports.q3, _reports.executive_q3
write_all, published_q3 = _reports.write_all, _reports.published_q3


@pytest.fixture
def plan_with_actions(hr_plan, plan_people):
    """The HR plan with an action that has an update and a risk that has a review."""
    action = Action.objects.create(plan=hr_plan, **_plans.action_data())
    ActionUpdate.objects.create(
        action=action,
        month=datetime.date(2016, 5, 1),
        status="in_progress",
        percent_complete=20,
        commentary="Policy drafted.",
        written_by=plan_people["head"],
    )
    risk = Risk.objects.create(plan=hr_plan, matrix=RiskMatrix.objects.create(), **_plans.risk_data())
    RiskReview.objects.create(
        risk=risk,
        reviewed_on=datetime.date(2016, 6, 1),
        likelihood=3,
        impact=3,
        note="Training under way.",
        reviewed_by=plan_people["head"],
    )
    return hr_plan
