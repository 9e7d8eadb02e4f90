"""Closing a definition review (a clinic found its indicator misleading), and revising a returned
remedial plan through its form: the hub only, every denied path, bad input saves nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clinics import services
from clinics.models import Clinic, RemedialPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def misleading_clinic(scheduled_clinic, users):
    return services.clinic_record(
        user=users["hub"],
        clinic=scheduled_clinic,
        minutes="Discussed how sickness days are counted for part-time staff.",
        answer_targets="Unclear: part-time absence is counted as whole days.",
        answer_turnaround="Neither: the measure itself overstates absence.",
        answer_resources="No: the definition must be fixed first.",
        decision="misleading",
        decision_note="Part-time staff's half days are counted as whole days.",
    )


def review_url(clinic):
    return f"/clinics/{clinic.id}/definition-review/close/"


# --- Definition reviews -------------------------------------------------------------------------


def test_the_hub_closes_a_definition_review_with_what_it_decided(client, users, misleading_clinic):
    client.force_login(users["hub"])
    listing = client.get("/clinics/").content.decode()
    assert "Definition reviews for the hub" in listing and "close the review" in listing
    page = client.get(f"/clinics/{misleading_clinic.id}/").content.decode()
    assert "Close the definition review" in page and "○ </span>Open" in page
    response = client.post(
        review_url(misleading_clinic), {"review_outcome": "Definition changed: hours, not days, from Q1."}
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get(id=misleading_clinic.id)
    assert clinic.review_closed_by == users["hub"] and clinic.review_outcome.startswith("Definition changed")
    assert clinic.events.filter(action="definition_review_closed").exists()
    assert "Definition reviews for the hub" not in client.get("/clinics/").content.decode()
    page = client.get(f"/clinics/{clinic.id}/").content.decode()
    assert "✓ </span>Closed" in page and "Definition review closed" in page  # status and history
    assert "Close the definition review" not in page
    # Closed once: a second close is refused with a message.
    again = client.post(review_url(clinic), {"review_outcome": "Closing it a second time now."})
    assert again.status_code == 400 and "already closed" in again.content.decode()


@pytest.mark.parametrize("outcome", ["", "   ", "too short", "1234567890123"])
def test_a_review_needs_an_outcome_in_words(client, users, misleading_clinic, outcome):
    client.force_login(users["hub"])
    response = client.post(review_url(misleading_clinic), {"review_outcome": outcome})
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body and 'href="#id_review_outcome"' in body
    assert Clinic.objects.get(id=misleading_clinic.id).review_closed_at is None


def test_only_a_misleading_decision_has_a_review(client, users, held_clinic):
    client.force_login(users["hub"])
    response = client.post(review_url(held_clinic), {"review_outcome": "Nothing to review here at all."})
    assert response.status_code == 400 and "Only a held clinic" in response.content.decode()
    assert Clinic.objects.get(id=held_clinic.id).review_closed_at is None


@pytest.mark.parametrize("role", ["cmt", "auditor", "director", "head", "councillor"])
def test_others_may_not_close_a_review(client, users, misleading_clinic, role):
    client.force_login(users[role])
    response = client.post(review_url(misleading_clinic), {"review_outcome": "Closed by someone else."})
    assert response.status_code == 403
    assert Clinic.objects.get(id=misleading_clinic.id).review_closed_at is None
    page = client.get(f"/clinics/{misleading_clinic.id}/")
    if page.status_code == 200:
        assert "Close the definition review" not in page.content.decode()


def test_review_closing_is_refused_to_anonymous_and_to_a_get(client, users, misleading_clinic):
    response = client.post(review_url(misleading_clinic), {"review_outcome": "Anonymous closing attempt."})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(users["hub"])
    assert client.get(review_url(misleading_clinic)).status_code == 405
    assert client.post("/clinics/99999/definition-review/close/", {}).status_code == 404


def test_the_service_refuses_the_wrong_role(users, misleading_clinic):
    with pytest.raises(PermissionDenied):
        services.definition_review_close(user=users["cmt"], clinic=misleading_clinic, outcome="x" * 20)


# --- A returned plan, revised through its form ----------------------------------------------------


@pytest.fixture
def returned_plan(plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    return services.remedial_plan_return(
        user=users["cmt"], plan=plan, stage="cmt", reason="The trajectory is too slow: recover by March."
    )


def edit_url(plan):
    return f"/clinics/plans/{plan.id}/edit/"


def revised_form(users, **changes):
    data = {
        "owner": str(users["head"].id),
        "monitoring": "Weekly report to DMT and a monthly one to the hub.",
        "monitoring_frequency": "monthly",
        "delivery_plan_changes": "Occupational health moves into the delivery plan.",
        "recovery_criteria": "Three months at or below the target of 10 days.",
        "recovery": "2016-03",
        "trajectory-2016-01": "12",
        "trajectory-2016-02": "11",
        "trajectory-2016-03": "10",
        "action-0-description": "Fill the two occupational health posts.",
        "action-0-owner": str(users["head"].id),
        "action-0-due": "2016-02-29",
        "action-1-description": "Return-to-work interviews within 48 hours.",
        "action-1-owner": str(users["officer"].id),
        "action-1-due": "2016-01-31",
        "note": "Recovery brought forward to March, as CMT asked; a second action added.",
    }
    data.update(changes)
    return data


def test_the_form_opens_filled_in_with_the_returned_plan(client, users, returned_plan):
    client.force_login(users["hub"])
    plan_page = client.get(f"/clinics/plans/{returned_plan.id}/").content.decode()
    assert edit_url(returned_plan) in plan_page and "Edit the plan and resubmit it" in plan_page
    response = client.get(edit_url(returned_plan))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Revise the returned remedial plan" in body and "recover by March" in body
    assert 'name="trajectory-2016-01" type="text" inputmode="decimal" spellcheck="false" value="12.5"' in body
    assert 'name="trajectory-2016-06" type="text" inputmode="decimal" spellcheck="false" value="10"' in body
    assert '<option value="2016-06" selected>' in body
    assert "Fill the two occupational health posts." in body and "Monthly report to DMT" in body


def test_the_hub_revises_and_resubmits_a_returned_plan(client, users, returned_plan):
    client.force_login(users["hub"])
    response = client.post(edit_url(returned_plan), revised_form(users))
    assert response.status_code == 302 and response["Location"] == f"/clinics/plans/{returned_plan.id}/"
    plan = RemedialPlan.objects.get(id=returned_plan.id)
    assert plan.status == "draft" and plan.member_signed_off_at is None and plan.cmt_signed_off_at is None
    assert plan.monitoring.startswith("Weekly report")
    assert [(p.period.start, p.expected) for p in plan.trajectory.select_related("period")] == [
        (datetime.date(2016, 1, 1), Decimal(12)),
        (datetime.date(2016, 2, 1), Decimal(11)),
        (datetime.date(2016, 3, 1), Decimal(10)),
    ]
    assert sorted(plan.actions.values_list("description", flat=True)) == [
        "Fill the two occupational health posts.",
        "Return-to-work interviews within 48 hours.",
    ]
    events = list(plan.events.values_list("action", "note"))
    assert events[-2][0] == "returned" and events[-1] == (
        "plan_revised",
        "Recovery brought forward to March, as CMT asked; a second action added.",
    )
    # Both sign-offs are needed again, and then it is tracked.
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    plan = services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")
    assert plan.status == "signed_off"


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"note": ""}, "note", "Say what changed since the plan was returned"),
        ({"trajectory-2016-02": ""}, "trajectory", "The trajectory has a gap"),
        ({"trajectory-2016-02": "eleven"}, "trajectory", "Feb 2016: enter a number"),
        ({"trajectory-2016-03": "55"}, "trajectory", "outside the indicator's plausible range"),
        ({"owner": ""}, "owner", "Choose the plan's owner."),
        (
            {
                "action-0-description": "",
                "action-0-owner": "",
                "action-0-due": "",
                "action-1-description": "",
            },
            "actions",
            "Action 2: enter what will be done",
        ),
        ({"action-1-due": "31/02/2016"}, "actions", "action 2's date as a real date"),
        ({"recovery": "2030-01"}, "recovery", "Choose the period by which performance should recover."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_changed(client, users, returned_plan, changes, field, message):
    before_points = list(returned_plan.trajectory.values_list("period_id", "expected"))
    before_actions = list(returned_plan.actions.values_list("id", "description"))
    client.force_login(users["hub"])
    response = client.post(edit_url(returned_plan), revised_form(users, **changes))
    body = response.content.decode()
    assert response.status_code == 400, body[:500]
    assert "There is a problem" in body and message in body.replace("&#x27;", "'")
    assert f'href="#id_{field}"' in body
    plan = RemedialPlan.objects.get(id=returned_plan.id)
    assert plan.status == "returned" and plan.monitoring == "Monthly report to DMT and the hub."
    assert list(plan.trajectory.values_list("period_id", "expected")) == before_points
    assert list(plan.actions.values_list("id", "description")) == before_actions
    assert not plan.events.filter(action="plan_revised").exists()


@pytest.mark.parametrize("role", ["cmt", "councillor", "head", "director", "auditor"])
def test_only_the_hub_edits_a_returned_plan(client, users, returned_plan, role):
    client.force_login(users[role])
    assert client.get(edit_url(returned_plan)).status_code == 403
    assert client.post(edit_url(returned_plan), revised_form(users)).status_code == 403
    assert RemedialPlan.objects.get(id=returned_plan.id).status == "returned"
    page = client.get(f"/clinics/plans/{returned_plan.id}/")
    if page.status_code == 200:
        assert edit_url(returned_plan) not in page.content.decode()


def test_an_officer_outside_the_clinic_gets_a_403_and_anonymous_the_login(client, users, returned_plan):
    assert client.get(edit_url(returned_plan))["Location"].startswith("/accounts/login/")
    assert client.post(edit_url(returned_plan), revised_form(users))["Location"].startswith(
        "/accounts/login/"
    )
    client.force_login(users["officer"])
    assert client.get(edit_url(returned_plan)).status_code == 403


def test_a_plan_that_is_not_returned_is_not_edited(client, users, plan_inputs):
    plan = services.remedial_plan_create(**plan_inputs)
    client.force_login(users["hub"])
    assert client.get(edit_url(plan)).status_code == 404
    assert client.post(edit_url(plan), revised_form(users)).status_code == 404
    with pytest.raises(ValidationError) as error:
        services.remedial_plan_revise(
            user=users["hub"],
            plan=plan,
            owner_id=users["head"].id,
            monitoring="Weekly report to DMT.",
            monitoring_frequency="monthly",
            delivery_plan_changes="",
            recovery_criteria="Three months on target.",
            trajectory_values={datetime.date(2016, 1, 1): Decimal(12)},
            recovery_start=datetime.date(2016, 1, 1),
            offered_starts=[datetime.date(2016, 1, 1)],
            actions=[
                services.ActionInput("Fill the posts now.", users["head"].id, datetime.date(2016, 2, 1))
            ],
            note="Trying to revise a draft plan.",
        )
    assert "Only a returned plan" in str(error.value)
    assert client.get("/clinics/plans/99999/edit/").status_code == 404
