"""Plan writes: rights, validation by field with nothing saved, history, cycle, versions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from indicators.models import Indicator
from organisation.models import ReportingCalendar
from service_plans import services
from service_plans.models import Action, ActionUpdate, Plan, PlanChange, PlanTransition, PlanVersion, Risk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reporting_date(db):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 5, 20)})


def _add_action(plan, people, make_action_data, **kw):
    indicator = Indicator.objects.get(reference="STF90")
    return services.action_save(
        user=people["head"],
        plan_id=plan.id,
        action_id=None,
        data=make_action_data(**kw),
        indicators=[indicator],
    )


def _errors(excinfo):
    return excinfo.value.message_dict


def test_plan_create_takes_the_header_from_the_organisation(hr_plan, org):
    assert hr_plan.portfolio == org["portfolio"]  # where the service's indicators sit
    assert hr_plan.years_label == "2016/17 to 2018/19"
    assert hr_plan.status == Plan.Status.DRAFT


def test_one_plan_per_service_and_year(hr_plan, plan_people, org):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(user=plan_people["head"], service=org["hr"], financial_year=2016)
    assert "financial_year" in _errors(excinfo)


@pytest.mark.parametrize(
    "who", ["officer", "director", "councillor", "auditor", "cmt", "other_head", "buddy"]
)
def test_only_the_head_or_hub_edits(hr_plan, plan_people, who):
    with pytest.raises(PermissionDenied):
        services.plan_update_sections(
            user=plan_people[who], plan_id=hr_plan.id, data={"description": "x"}, seen_edit_count=None
        )
    assert Plan.objects.get(id=hr_plan.id).description == ""


def test_hub_may_edit(hr_plan, plan_people):
    services.plan_update_sections(
        user=plan_people["hub"], plan_id=hr_plan.id, data={"description": "Hub"}, seen_edit_count=None
    )
    assert Plan.objects.get(id=hr_plan.id).description == "Hub"


def test_edits_are_logged_with_who_and_why(hr_plan, plan_people):
    services.plan_update_sections(
        user=plan_people["head"],
        plan_id=hr_plan.id,
        data={"description": "HR for the council", "staff_headcount": 54},
        seen_edit_count=hr_plan.edit_count,
        reason="First draft",
    )
    change = PlanChange.objects.filter(plan=hr_plan).first()
    assert change.by == plan_people["head"] and change.reason == "First draft"
    assert change.changes["staff_headcount"] == [None, 54]


def test_a_stale_form_is_refused_with_what_changed(hr_plan, plan_people):
    seen = hr_plan.edit_count
    services.plan_update_sections(
        user=plan_people["hub"], plan_id=hr_plan.id, data={"description": "first"}, seen_edit_count=seen
    )
    with pytest.raises(ValidationError) as excinfo:
        services.plan_update_sections(
            user=plan_people["head"], plan_id=hr_plan.id, data={"description": "second"}, seen_edit_count=seen
        )
    assert "description" in str(excinfo.value) and "Hub" in str(excinfo.value)
    assert Plan.objects.get(id=hr_plan.id).description == "first"


def test_negative_staff_numbers_are_refused(hr_plan, plan_people):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_update_sections(
            user=plan_people["head"], plan_id=hr_plan.id, data={"staff_fte": -1}, seen_edit_count=None
        )
    assert "staff_fte" in _errors(excinfo)


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"percent_complete": 101}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"status": "completed", "percent_complete": 100}, "completed_on"),
        (
            {"status": "completed", "percent_complete": 80, "completed_on": datetime.date(2016, 5, 1)},
            "percent_complete",
        ),
        ({"due_date": datetime.date(2016, 3, 1)}, "due_date"),
        (
            {"status": "completed", "percent_complete": 100, "completed_on": datetime.date(2016, 1, 1)},
            "completed_on",
        ),
        ({"status": "cancelled"}, "status_reason"),
        ({"status": "deferred"}, "status_reason"),
        ({"reference": " "}, "reference"),
    ],
)
def test_bad_action_input_is_refused_by_field_and_nothing_saved(
    hr_plan, plan_people, make_action_data, overrides, field
):
    with pytest.raises(ValidationError) as excinfo:
        _add_action(hr_plan, plan_people, make_action_data, **overrides)
    assert field in _errors(excinfo)
    assert not Action.objects.exists()
    assert not PlanChange.objects.filter(subject__startswith="action").exists()


def test_duplicate_action_reference_is_a_field_error(hr_plan, plan_people, make_action_data):
    _add_action(hr_plan, plan_people, make_action_data)
    with pytest.raises(ValidationError) as excinfo:
        _add_action(hr_plan, plan_people, make_action_data)
    assert "reference" in _errors(excinfo)
    assert Action.objects.count() == 1


def test_submitting_needs_an_outcome_indicator_on_every_action(hr_plan, plan_people, make_action_data):
    services.action_save(
        user=plan_people["head"], plan_id=hr_plan.id, action_id=None, data=make_action_data(), indicators=[]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.plan_transition(user=plan_people["head"], plan_id=hr_plan.id, move="submit")
    assert "HR-A1" in str(excinfo.value)
    assert Plan.objects.get(id=hr_plan.id).status == Plan.Status.DRAFT


def _through_to_sign_off(plan, people):
    services.plan_transition(user=people["head"], plan_id=plan.id, move="submit")
    services.plan_transition(user=people["director"], plan_id=plan.id, move="dmt_approve")
    services.plan_transition(user=people["councillor"], plan_id=plan.id, move="member_approve")


def test_the_cycle_with_a_return_and_sign_off_freezes_version_1(hr_plan, plan_people, make_action_data):
    _add_action(hr_plan, plan_people, make_action_data)
    services.plan_transition(user=plan_people["head"], plan_id=hr_plan.id, move="submit")
    with pytest.raises(ValidationError) as excinfo:
        services.plan_transition(
            user=plan_people["director"], plan_id=hr_plan.id, move="return", comment="no"
        )
    assert "comment" in _errors(excinfo)
    services.plan_transition(
        user=plan_people["director"], plan_id=hr_plan.id, move="return", comment="Add the savings figures"
    )
    assert Plan.objects.get(id=hr_plan.id).status == Plan.Status.DRAFT
    assert PlanTransition.objects.filter(is_return=True, comment="Add the savings figures").exists()
    _through_to_sign_off(hr_plan, plan_people)
    plan = Plan.objects.get(id=hr_plan.id)
    assert plan.status == Plan.Status.SIGNED_OFF
    version = PlanVersion.objects.get(plan=plan, number=1)
    assert version.snapshot["actions"][0]["reference"] == "HR-A1"
    # An edit after sign-off makes version 2 in draft; version 1 is unchanged.
    services.plan_update_sections(
        user=plan_people["head"], plan_id=plan.id, data={"description": "Changed"}, seen_edit_count=None
    )
    plan.refresh_from_db()
    assert (plan.version, plan.status) == (2, Plan.Status.DRAFT)
    assert PlanVersion.objects.get(plan=plan, number=1).snapshot["sections"]["description"] == ""


@pytest.mark.parametrize(
    "who,move",
    [
        ("officer", "submit"),
        ("director", "submit"),
        ("buddy", "submit"),
        ("auditor", "submit"),
    ],
)
def test_wrong_people_cannot_submit(hr_plan, plan_people, make_action_data, who, move):
    _add_action(hr_plan, plan_people, make_action_data)
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=plan_people[who], plan_id=hr_plan.id, move=move)


@pytest.mark.parametrize("who", ["head", "other_director", "councillor", "hub", "cmt"])
def test_only_the_director_approves_at_dmt(hr_plan, plan_people, make_action_data, who):
    _add_action(hr_plan, plan_people, make_action_data)
    services.plan_transition(user=plan_people["head"], plan_id=hr_plan.id, move="submit")
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=plan_people[who], plan_id=hr_plan.id, move="dmt_approve")


@pytest.mark.parametrize("who", ["head", "director", "other_councillor", "hub"])
def test_only_the_portfolio_member_signs_off(hr_plan, plan_people, make_action_data, who):
    _add_action(hr_plan, plan_people, make_action_data)
    services.plan_transition(user=plan_people["head"], plan_id=hr_plan.id, move="submit")
    services.plan_transition(user=plan_people["director"], plan_id=hr_plan.id, move="dmt_approve")
    with pytest.raises(PermissionDenied):
        services.plan_transition(user=plan_people[who], plan_id=hr_plan.id, move="member_approve")


def test_no_edits_while_in_review(hr_plan, plan_people, make_action_data):
    _add_action(hr_plan, plan_people, make_action_data)
    services.plan_transition(user=plan_people["head"], plan_id=hr_plan.id, move="submit")
    with pytest.raises(ValidationError):
        services.plan_update_sections(
            user=plan_people["head"], plan_id=hr_plan.id, data={"description": "x"}, seen_edit_count=None
        )


def test_buddy_reads_and_comments_but_cannot_edit(hr_plan, plan_people):
    assert services.plan_for(plan_people["buddy"], hr_plan.id) == hr_plan
    services.plan_comment_add(user=plan_people["buddy"], plan_id=hr_plan.id, text="Savings need years.")
    assert not services.plan_rights(plan_people["buddy"], hr_plan).edit


@pytest.mark.parametrize("who", ["other_head", "other_councillor", "other_director", "scrutiny"])
def test_people_outside_the_scope_cannot_read(hr_plan, plan_people, who):
    with pytest.raises(PermissionDenied):
        services.plan_for(plan_people[who], hr_plan.id)


def test_missing_plan_is_404(plan_people):
    with pytest.raises(Http404):
        services.plan_for(plan_people["hub"], 999)


def test_progress_update_once_a_month_by_the_accountable_officer(hr_plan, plan_people, make_action_data):
    action = _add_action(hr_plan, plan_people, make_action_data, accountable_officer=plan_people["officer"])
    services.action_progress_update(
        user=plan_people["officer"],
        action_id=action.id,
        month=datetime.date(2016, 5, 1),
        status="in_progress",
        percent_complete=10,
        commentary="Started the training",
    )
    action.refresh_from_db()
    assert (action.status, action.percent_complete) == ("in_progress", 10)
    with pytest.raises(ValidationError) as excinfo:
        services.action_progress_update(
            user=plan_people["officer"],
            action_id=action.id,
            month=datetime.date(2016, 5, 1),
            status="in_progress",
            percent_complete=20,
            commentary="Again",
        )
    assert "month" in _errors(excinfo)
    assert ActionUpdate.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.action_progress_update(
            user=plan_people["auditor"],
            action_id=action.id,
            month=datetime.date(2016, 4, 1),
            status="in_progress",
            percent_complete=20,
            commentary="Audit",
        )


def test_progress_update_completed_without_date_is_refused(hr_plan, plan_people, make_action_data):
    action = _add_action(hr_plan, plan_people, make_action_data)
    with pytest.raises(ValidationError) as excinfo:
        services.action_progress_update(
            user=plan_people["head"],
            action_id=action.id,
            month=datetime.date(2016, 5, 1),
            status="completed",
            percent_complete=100,
            commentary="Done",
        )
    assert "completed_on" in _errors(excinfo)
    assert not ActionUpdate.objects.exists()


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"current_likelihood": 6}, "current_likelihood"),
        ({"current_impact": 0}, "current_likelihood"),
        ({"inherent_likelihood": None}, "inherent_likelihood"),
        ({"target_likelihood": 5, "target_impact": 5}, "target_reason"),
        ({"escalation": "cmt"}, "escalation_reason"),
        ({"event": ""}, "event"),
    ],
)
def test_bad_risk_input_is_refused_by_field(hr_plan, plan_people, make_risk_data, overrides, field):
    with pytest.raises(ValidationError) as excinfo:
        services.risk_save(
            user=plan_people["head"], plan_id=hr_plan.id, risk_id=None, data=make_risk_data(**overrides)
        )
    assert field in _errors(excinfo)
    assert not Risk.objects.exists()


def test_a_worse_target_with_a_reason_is_accepted(hr_plan, plan_people, make_risk_data):
    risk = services.risk_save(
        user=plan_people["head"],
        plan_id=hr_plan.id,
        risk_id=None,
        data=make_risk_data(target_likelihood=5, target_impact=5, target_reason="Funding ends in 2017"),
    )
    assert risk.matrix.likelihood_levels == 5


def test_matrix_in_use_is_locked_and_a_change_makes_a_new_version(hr_plan, plan_people, make_risk_data):
    risk = services.risk_save(
        user=plan_people["head"], plan_id=hr_plan.id, risk_id=None, data=make_risk_data()
    )
    new = services.risk_matrix_revise(
        user=plan_people["hub"],
        matrix_id=risk.matrix_id,
        likelihood_levels=4,
        impact_levels=4,
        amber_from=4,
        red_from=10,
    )
    risk.refresh_from_db()
    assert new.version == 2 and risk.matrix.version == 1 and risk.matrix.likelihood_levels == 5
    assert services.current_matrix() == new
    with pytest.raises(PermissionDenied):
        services.risk_matrix_revise(
            user=plan_people["head"],
            matrix_id=new.id,
            likelihood_levels=4,
            impact_levels=4,
            amber_from=4,
            red_from=10,
        )


def test_open_next_year_prefills_sections_open_actions_risks_and_indicators(
    hr_plan, plan_people, make_action_data, make_risk_data
):
    ReportingCalendar.objects.filter(id=1).update(as_of=datetime.date(2016, 12, 5))
    services.plan_update_sections(
        user=plan_people["head"], plan_id=hr_plan.id, data={"description": "Kept"}, seen_edit_count=None
    )
    _add_action(hr_plan, plan_people, make_action_data)
    _add_action(
        hr_plan,
        plan_people,
        make_action_data,
        reference="HR-A2",
        status="completed",
        percent_complete=100,
        completed_on=datetime.date(2016, 6, 1),
    )
    services.risk_save(user=plan_people["head"], plan_id=hr_plan.id, risk_id=None, data=make_risk_data())
    services.plan_indicator_add(
        user=plan_people["head"], plan_id=hr_plan.id, indicator=Indicator.objects.get(reference="STF90")
    )
    _through_to_sign_off(hr_plan, plan_people)
    new = services.plan_open_next_year(user=plan_people["head"], plan_id=hr_plan.id)
    assert new.financial_year == 2017 and new.description == "Kept" and new.status == Plan.Status.DRAFT
    assert list(new.actions.values_list("reference", flat=True)) == ["HR-A1"]
    assert new.actions.get().outcome_indicators.count() == 1
    assert new.risks.count() == 1 and new.plan_indicators.count() == 1
    assert Plan.objects.get(id=hr_plan.id).status == Plan.Status.ANNUAL_REVIEW
