"""Individual objectives (the end of the line of sight) and the monthly plan reminders."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.models import Indicator
from organisation.models import ReportingCalendar
from service_plans import objectives, services
from service_plans.models import Objective, PlanReminderLog
from service_plans.reminders import plan_reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(hr_plan, plan_people, make_action_data, make_risk_data):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 6, 20)})
    plan_people["officer"].email = "officer@york.example"
    plan_people["officer"].save()
    a = services.action_save(
        user=plan_people["head"],
        plan_id=hr_plan.id,
        action_id=None,
        data=make_action_data(
            accountable_officer=plan_people["officer"], status="in_progress", percent_complete=10
        ),
        indicators=[Indicator.objects.get(reference="STF90")],
    )
    services.risk_save(
        user=plan_people["head"],
        plan_id=hr_plan.id,
        risk_id=None,
        data=make_risk_data(
            responsible_officer=plan_people["officer"], review_date=datetime.date(2016, 6, 1)
        ),
    )
    return a


def test_objective_linked_to_an_action_and_read_by_the_manager(client, action, plan_people):
    officer = plan_people["officer"]
    objectives.objective_save(
        user=officer,
        objective_id=None,
        financial_year=2016,
        text="Run the attendance clinics",
        actions=[action],
        indicators=[],
    )
    client.force_login(plan_people["head"])
    assert (
        "Run the attendance clinics" in client.get(reverse("service_plans:team_objectives")).content.decode()
    )
    page = client.get(action.get_absolute_url()).content.decode()
    assert "1 individual objective serves this action" in page
    client.force_login(plan_people["other_head"])
    assert (
        "Run the attendance clinics"
        not in client.get(reverse("service_plans:team_objectives")).content.decode()
    )
    client.force_login(plan_people["auditor"])
    assert client.get(reverse("service_plans:team_objectives")).status_code == 403


def test_objective_needs_a_link_and_actions_the_person_may_read(action, plan_people):
    with pytest.raises(ValidationError) as excinfo:
        objectives.objective_save(
            user=plan_people["officer"],
            objective_id=None,
            financial_year=2016,
            text="Something worth doing",
            actions=[],
            indicators=[],
        )
    assert "actions" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        objectives.objective_save(
            user=plan_people["other_head"],
            objective_id=None,
            financial_year=2016,
            text="Someone else's action",
            actions=[action],
            indicators=[],
        )
    assert not Objective.objects.exists()


def test_only_the_owner_removes_an_objective(client, action, plan_people):
    objective = objectives.objective_save(
        user=plan_people["officer"],
        objective_id=None,
        financial_year=2016,
        text="Run the attendance clinics",
        actions=[action],
        indicators=[],
    )
    with pytest.raises(PermissionDenied):
        objectives.objective_delete(user=plan_people["head"], objective_id=objective.id)
    client.force_login(plan_people["head"])
    assert client.post(reverse("service_plans:objective_delete", args=[objective.id])).status_code == 403
    client.force_login(plan_people["officer"])
    assert client.post(reverse("service_plans:objective_delete", args=[objective.id])).status_code == 302
    assert not Objective.objects.exists()


def test_objectives_page_form(client, action, plan_people):
    client.force_login(plan_people["officer"])
    url = reverse("service_plans:objectives")
    assert client.get(url).status_code == 200
    response = client.post(url, {"financial_year": "2016", "text": "short"})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()
    response = client.post(
        url, {"financial_year": "2016", "text": "Run the attendance clinics", "actions": [action.id]}
    )
    assert response.status_code == 302 and Objective.objects.count() == 1
    assert client.get(url).status_code == 200


def test_reminders_once_a_month(action, plan_people):
    run = plan_reminders_send()
    assert run.sent == 1 and len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "HR-A1" in body and "HR-R1" in body
    assert plan_reminders_send().already_sent == 1 and len(mail.outbox) == 1
    assert PlanReminderLog.objects.get().actions_count == 1
    # An update this month means the action no longer needs one.
    services.action_progress_update(
        user=plan_people["officer"],
        action_id=action.id,
        month=datetime.date(2016, 6, 1),
        status="in_progress",
        percent_complete=20,
        commentary="Going well",
    )
    from service_plans.reminders import plan_reminder_digests

    digests = plan_reminder_digests(as_of=datetime.date(2016, 6, 20))
    assert digests[plan_people["officer"].id][0] == []
