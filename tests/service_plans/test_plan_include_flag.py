"""Table 3.3's "Include on the directorate scorecard": editing it sets the indicator's scorecard flag
through the library's audited service (who, when, old → new, why), and only for those who may."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from indicators.models import Indicator
from indicators.services.library import scorecard_flag_set
from service_plans import services
from service_plans.models import Plan, PlanChange, PlanIndicator

REASON = "The directorate wants sickness on its monthly scorecard."


@pytest.fixture
def entry(hr_plan, plan_people):
    indicator = Indicator.objects.get(reference="STF90")
    return services.plan_indicator_add(user=plan_people["head"], plan_id=hr_plan.id, indicator=indicator)


def _flag_changes():
    """Changes recorded in the indicators' history (not the rows kept as their baseline)."""
    return Indicator.history.filter(history_type="~")


def _url(entry):
    return f"/service-plans/{entry.plan_id}/indicators/{entry.id}/include/"


def test_the_head_sets_the_flag_with_who_when_old_new_and_why(client, entry, plan_people):
    client.force_login(plan_people["head"])
    form = client.get(_url(entry))
    assert form.status_code == 200 and "Include on the directorate scorecard" in form.content.decode()
    response = client.post(_url(entry), {"include": "yes", "reason": REASON, "edit_count": "1"})
    assert response.status_code == 302
    assert Indicator.objects.get(reference="STF90").on_scorecard is True
    change = _flag_changes().get()  # the indicator's history, as an admin change would be
    assert (change.prev_record.on_scorecard, change.on_scorecard, change.history_change_reason) == (
        False,
        True,
        REASON,
    )
    assert change.history_user == plan_people["head"] and change.history_date is not None
    logged = PlanChange.objects.filter(plan=entry.plan, subject="Table 3.3 STF90").get()
    assert logged.changes == {"include": ["", "Y"]} and logged.reason == REASON
    plan_page = client.get(f"/service-plans/{entry.plan_id}/").content.decode()
    assert "whether STF90 is on the directorate scorecard" in plan_page
    history = client.get("/indicators/STF90/").content.decode()
    assert "On scorecard" in history and REASON in history
    assert '<span class="kpi-change-old">No</span> → <span class="kpi-change-new">Yes</span>' in history


def test_an_unchanged_flag_records_nothing(entry, plan_people):
    assert not services.plan_indicator_include_set(
        user=plan_people["head"], plan_id=entry.plan_id, entry_id=entry.id, include=False, reason=REASON
    )
    assert (
        not _flag_changes().exists()
        and not PlanChange.objects.filter(subject__startswith="Table 3.3 STF90").exists()
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"include": "yes", "reason": ""}, "reason"),
        ({"include": "yes", "reason": "........!!"}, "reason"),
        ({"include": "maybe", "reason": REASON}, "include"),
        ({"reason": REASON}, "include"),
        ({}, "include"),
    ],
)
def test_bad_input_is_a_message_by_the_field_and_nothing_saved(client, entry, plan_people, data, field):
    client.force_login(plan_people["head"])
    response = client.post(_url(entry), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert "govuk-error-summary" in response.content.decode()
    assert Indicator.objects.get(reference="STF90").on_scorecard is False
    assert not _flag_changes().exists()


def test_a_stale_form_is_refused_with_what_changed(client, entry, plan_people):
    client.force_login(plan_people["head"])
    response = client.post(_url(entry), {"include": "yes", "reason": REASON, "edit_count": "0"})
    assert response.status_code == 400 and "Someone else saved this plan" in response.content.decode()
    assert not _flag_changes().exists()


def test_a_plan_in_review_is_refused(entry, plan_people):
    Plan.objects.filter(id=entry.plan_id).update(status=Plan.Status.DMT_REVIEW)
    with pytest.raises(ValidationError):
        services.plan_indicator_include_set(
            user=plan_people["head"], plan_id=entry.plan_id, entry_id=entry.id, include=True, reason=REASON
        )
    assert not _flag_changes().exists()


def test_the_anonymous_are_sent_to_sign_in(client, entry):
    for response in (client.get(_url(entry)), client.post(_url(entry), {"include": "yes", "reason": REASON})):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "who", ["officer", "auditor", "councillor", "director", "cmt", "other_head", "buddy"]
)
def test_others_get_a_403_and_nothing_changes(client, entry, plan_people, who):
    client.force_login(plan_people[who])
    assert client.get(_url(entry)).status_code == 403
    assert client.post(_url(entry), {"include": "yes", "reason": REASON}).status_code == 403
    assert Indicator.objects.get(reference="STF90").on_scorecard is False
    assert not _flag_changes().exists()


def test_the_hub_may_set_it(entry, plan_people):
    assert services.plan_indicator_include_set(
        user=plan_people["hub"], plan_id=entry.plan_id, entry_id=entry.id, include=True, reason=REASON
    )


def test_an_indicator_of_another_service_is_not_the_heads_to_flag(
    client, hr_plan, plan_people, indicator_factory, org
):
    waste = indicator_factory("WST09", service=org["waste"])
    entry = PlanIndicator.objects.create(plan=hr_plan, indicator=waste)
    client.force_login(plan_people["head"])
    assert client.post(_url(entry), {"include": "yes", "reason": REASON}).status_code == 403
    with pytest.raises(PermissionDenied):
        scorecard_flag_set(user=plan_people["head"], indicator=waste, include=True, reason=REASON)
    assert not Indicator.objects.get(reference="WST09").on_scorecard


def test_the_library_service_refuses_audit_and_needs_a_reason(entry, plan_people):
    indicator = entry.indicator
    with pytest.raises(PermissionDenied):
        scorecard_flag_set(user=plan_people["auditor"], indicator=indicator, include=True, reason=REASON)
    with pytest.raises(ValidationError):
        scorecard_flag_set(user=plan_people["hub"], indicator=indicator, include=True, reason="short")
    assert not _flag_changes().exists()


def test_a_signed_off_plan_starts_a_new_version(entry, plan_people):
    Plan.objects.filter(id=entry.plan_id).update(status=Plan.Status.SIGNED_OFF)
    services.plan_indicator_include_set(
        user=plan_people["head"], plan_id=entry.plan_id, entry_id=entry.id, include=True, reason=REASON
    )
    plan = Plan.objects.get(id=entry.plan_id)
    assert plan.status == Plan.Status.DRAFT and plan.version == 2
