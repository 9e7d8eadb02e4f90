"""Remedial actions and Service Improvement Plans: a remedial action links an existing plan action or
is added to the service's plan; a clinic requested from a plan action or risk records it."""

import dataclasses
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinics import services
from clinics.models import Clinic, RemedialAction, RemedialPlan
from service_plans.models import Action, Plan, PlanChange, Risk
from service_plans.services import current_matrix


@pytest.fixture
def service_plan(org):
    return Plan.objects.create(service=org["hr"], financial_year=2015, status=Plan.Status.DRAFT)


@pytest.fixture
def plan_action(service_plan, red_indicator, users):
    action = Action.objects.create(
        plan=service_plan,
        reference="HR-A1",
        title="Occupational health service review",
        accountable_officer=users["head"],
        start_date=datetime.date(2015, 4, 1),
        due_date=datetime.date(2016, 3, 31),
        status=Action.Status.IN_PROGRESS,
        percent_complete=40,
    )
    action.outcome_indicators.set([red_indicator])
    return action


@pytest.fixture
def risk(service_plan, red_indicator):
    found = Risk.objects.create(
        plan=service_plan,
        reference="HR-R1",
        cause="Because of vacant posts",
        event="there is a risk that sickness absence rises",
        matrix=current_matrix(),
    )
    found.indicators.set([red_indicator])
    return found


def _with_action(plan_inputs, plan_action: str):
    first = plan_inputs["actions"][0]
    return {**plan_inputs, "actions": [dataclasses.replace(first, plan_action=plan_action)]}


def test_a_remedial_action_links_an_existing_plan_action(plan_inputs, plan_action):
    plan = services.remedial_plan_create(**_with_action(plan_inputs, str(plan_action.id)))
    assert list(plan.actions.values_list("plan_action", flat=True)) == [plan_action.id]
    assert list(plan_action.remedial_actions.all()) == list(plan.actions.all())


def test_a_remedial_action_is_added_to_the_services_plan(plan_inputs, service_plan, red_indicator):
    plan = services.remedial_plan_create(**_with_action(plan_inputs, services.ADD_TO_SERVICE_PLAN))
    added = plan.actions.get().plan_action
    assert added.plan == service_plan and added.reference == "STF15-R1"
    assert added.title == "Fill the two occupational health posts."
    assert added.due_date == datetime.date(2016, 3, 31)
    assert list(added.outcome_indicators.all()) == [red_indicator]
    # Through the plan's own audited service: its change log says who and why.
    change = PlanChange.objects.get(plan=service_plan)
    assert change.by == plan_inputs["user"] and "clinic" in change.reason


def test_a_link_to_another_services_action_is_refused_and_nothing_saved(plan_inputs, org, users):
    elsewhere = Plan.objects.create(service=org["waste"], financial_year=2015)
    foreign = Action.objects.create(
        plan=elsewhere,
        reference="W-1",
        title="Bins",
        start_date=datetime.date(2015, 4, 1),
        due_date=datetime.date(2016, 3, 31),
    )
    with pytest.raises(ValidationError) as caught:
        services.remedial_plan_create(**_with_action(plan_inputs, str(foreign.id)))
    assert "Service Improvement Plan" in caught.value.message_dict["actions"][0]
    assert not RemedialPlan.objects.exists() and not RemedialAction.objects.exists()


@pytest.mark.parametrize("status", [Action.Status.COMPLETED, Action.Status.CANCELLED])
def test_a_link_to_a_finished_action_is_refused(plan_inputs, plan_action, status):
    Action.objects.filter(id=plan_action.id).update(
        status=status, percent_complete=100, completed_on=datetime.date(2015, 12, 1), status_reason="Done."
    )
    with pytest.raises(ValidationError):
        services.remedial_plan_create(**_with_action(plan_inputs, str(plan_action.id)))
    assert not RemedialPlan.objects.exists()


def test_adding_to_a_plan_in_review_is_refused_and_nothing_saved(plan_inputs, service_plan):
    Plan.objects.filter(id=service_plan.id).update(status=Plan.Status.DMT_REVIEW)
    with pytest.raises(ValidationError) as caught:
        services.remedial_plan_create(**_with_action(plan_inputs, services.ADD_TO_SERVICE_PLAN))
    assert "no Service Improvement Plan open for edits" in caught.value.message_dict["actions"][0]
    assert not RemedialPlan.objects.exists() and not Action.objects.exists()


def test_the_plan_form_offers_and_saves_the_link(client, plan_inputs, plan_action, users):
    client.force_login(users["hub"])
    url = f"/clinics/{plan_inputs['clinic'].id}/plans/new/?indicator=STF15"
    page = client.get(url).content.decode()
    assert "HR-A1: Occupational health service review" in page
    assert "Add to the 2015/16 plan as a new action" in page
    form = {
        "indicator": "STF15",
        "owner": str(users["head"].id),
        "monitoring": "Monthly report to DMT and the hub.",
        "monitoring_frequency": "monthly",
        "recovery_criteria": "Three months at or below the target of 10 days.",
        "recovery": f"{plan_inputs['recovery_start']:%Y-%m}",
        "action-0-description": "Fill the posts.",
        "action-0-owner": str(users["head"].id),
        "action-0-due": "2016-03-31",
        "action-0-plan_action": str(plan_action.id),
        **{f"trajectory-{s:%Y-%m}": str(v) for s, v in plan_inputs["trajectory_values"].items()},
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = RemedialPlan.objects.get()
    assert plan.actions.get().plan_action == plan_action
    assert "HR-A1" in client.get(f"/clinics/plans/{plan.id}/").content.decode()
    # A hostile value is a message by the field, never a 500 or a half-write.
    RemedialPlan.objects.all().delete()
    bad = client.post(url, {**form, "action-0-plan_action": "99999999"})
    assert bad.status_code == 400 and not RemedialPlan.objects.exists()


# --- A clinic requested from a plan action or a risk --------------------------------------------


def test_a_clinic_requested_from_a_risk_records_it(risk, users):
    clinic = services.clinic_request(
        user=users["head"],
        references=["STF15"],
        reason="The sickness risk has materialised.",
        urgency="soon",
        source="risk",
        source_id=risk.id,
    )
    assert clinic.source_risk == risk and clinic.source_action is None
    assert list(risk.clinics.all()) == [clinic]


def test_a_clinic_requested_from_a_plan_action_records_it(plan_action, users):
    clinic = services.clinic_request(
        user=users["hub"],
        references=["STF15"],
        reason="The action is not moving the indicator.",
        urgency="routine",
        source="plan_action",
        source_id=plan_action.id,
    )
    assert clinic.source_action == plan_action and clinic.source_risk is None


def test_a_request_from_a_risk_outside_the_users_plans_is_refused(risk, make_user, org, red_indicator):
    from organisation.models import Role

    red_indicator.responsible_officer = outsider = make_user(
        Role.HEAD, "waste-head", directorate=org["place"], service=org["waste"]
    )
    red_indicator.save()
    with pytest.raises(PermissionDenied):
        services.clinic_request(
            user=outsider,
            references=["STF15"],
            reason="The sickness risk has materialised.",
            urgency="soon",
            source="risk",
            source_id=risk.id,
        )
    assert not Clinic.objects.exists()


def test_a_request_from_a_missing_risk_is_a_message_and_nothing_saved(users, red_indicator):
    with pytest.raises(ValidationError) as caught:
        services.clinic_request(
            user=users["hub"],
            references=["STF15"],
            reason="The sickness risk has materialised.",
            urgency="soon",
            source="risk",
            source_id=424242,
        )
    assert "no longer exists" in caught.value.message_dict["indicators"][0]
    assert not Clinic.objects.exists()


def test_the_risk_page_links_the_request_prefilled_with_its_indicators(client, risk, users):
    client.force_login(users["head"])
    page = client.get(f"/service-plans/{risk.plan_id}/risks/{risk.id}/").content.decode()
    assert f"source=risk&amp;source_id={risk.id}" in page
    form = client.get(f"/clinics/request/?source=risk&source_id={risk.id}").content.decode()
    assert 'value="STF15"' in form and f'name="source_id" value="{risk.id}"' in form
    response = client.post(
        "/clinics/request/",
        {
            "indicators": "STF15",
            "reason": "The sickness risk has materialised.",
            "urgency": "soon",
            "source": "risk",
            "source_id": str(risk.id),
        },
    )
    clinic = Clinic.objects.get()
    assert response.status_code == 302 and clinic.source_risk == risk
    assert "HR-R1" in client.get(f"/clinics/{clinic.id}/").content.decode()


def test_the_action_page_offers_no_request_to_an_officer(client, plan_action, users):
    client.force_login(users["auditor"])
    page = client.get(f"/service-plans/{plan_action.plan_id}/actions/{plan_action.id}/")
    assert page.status_code == 200 and "source=plan_action" not in page.content.decode()
    client.force_login(users["hub"])
    page = client.get(f"/service-plans/{plan_action.plan_id}/actions/{plan_action.id}/").content.decode()
    assert f"source=plan_action&amp;source_id={plan_action.id}" in page


def test_posting_a_request_from_a_risk_outside_scope_is_a_403(client, risk, make_user, org, red_indicator):
    from organisation.models import Role

    outsider = make_user(Role.HEAD, "waste-head", directorate=org["place"], service=org["waste"])
    red_indicator.responsible_officer = outsider
    red_indicator.save()
    client.force_login(outsider)
    assert client.get(f"/clinics/request/?source=risk&source_id={risk.id}").status_code == 403
    response = client.post(
        "/clinics/request/",
        {
            "indicators": "STF15",
            "reason": "Sickness is rising.",
            "urgency": "soon",
            "source": "risk",
            "source_id": str(risk.id),
        },
    )
    assert response.status_code == 403 and not Clinic.objects.exists()
