"""Clinic and remedial-plan services: permissions, validation (nothing saved), invitations, the
frozen pack, sign-off, tracking and the off-trajectory notice."""

import datetime
from decimal import Decimal

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from clinics import services
from clinics.models import Clinic, ClinicEvent, RemedialPlan, SuggestionDecision
from clinics.rules import RED_AND_WORSENING
from indicators.models import Period

pytestmark = pytest.mark.django_db


def dec_period():
    return Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))


# --- Suggestions ---------------------------------------------------------------------------------


def test_red_and_worsening_indicator_is_suggested_with_its_reason(red_indicator, other_indicator):
    found = services.suggestions()
    assert [s["reference"] for s in found] == ["STF15"]
    assert found[0]["reasons"][0] == RED_AND_WORSENING
    assert found[0]["reason_labels"][0] == "Red and worsening for two or more periods"
    assert found[0]["period_label"] == "Dec 2015"
    assert "indicator=STF15" in found[0]["request_url"] and "period=2015-12" in found[0]["request_url"]


def test_suggestions_as_of_an_earlier_period(red_indicator):
    october = Period.objects.get(kind="month", start=datetime.date(2015, 10, 1))
    # Only one red-and-worsening month by October; two by November.
    assert all(RED_AND_WORSENING not in s["reasons"] for s in services.suggestions(october))
    november = Period.objects.get(kind="month", start=datetime.date(2015, 11, 1))
    found = services.suggestions(november)
    assert [s["period_label"] for s in found] == ["Nov 2015"] and RED_AND_WORSENING in found[0]["reasons"]


def test_suggestions_run_two_queries(red_indicator, django_assert_num_queries):
    with django_assert_num_queries(2):
        services.suggestions()


def test_hub_dismisses_a_suggestion_with_a_note(red_indicator, users):
    services.suggestion_decide(
        user=users["hub"],
        reference="STF15",
        period=dec_period(),
        outcome="dismissed",
        note="Known: a flu outbreak.",
    )
    assert services.suggestions() == []
    assert services.suggestions(include_decided=True)[0]["decision"].outcome == "dismissed"
    assert not Clinic.objects.exists()


def test_hub_accepts_a_suggestion_and_a_clinic_is_requested(red_indicator, users):
    decision = services.suggestion_decide(
        user=users["hub"],
        reference="STF15",
        period=dec_period(),
        outcome="accepted",
        note="Needs a clinic soon.",
    )
    assert decision.clinic.status == "requested"
    assert list(decision.clinic.indicators.values_list("reference", flat=True)) == ["STF15"]
    assert decision.clinic.source == "suggestion"


def test_a_suggestion_needs_a_note_and_is_decided_once(red_indicator, users):
    with pytest.raises(ValidationError) as error:
        services.suggestion_decide(
            user=users["hub"], reference="STF15", period=dec_period(), outcome="dismissed", note="no"
        )
    assert "note" in error.value.message_dict
    services.suggestion_decide(
        user=users["hub"],
        reference="STF15",
        period=dec_period(),
        outcome="dismissed",
        note="Known: a flu outbreak.",
    )
    with pytest.raises(ValidationError):
        services.suggestion_decide(
            user=users["hub"],
            reference="STF15",
            period=dec_period(),
            outcome="accepted",
            note="Changed our mind here.",
        )
    assert SuggestionDecision.objects.count() == 1 and not Clinic.objects.exists()


@pytest.mark.parametrize("role", ["cmt", "head", "director", "councillor", "officer", "auditor"])
def test_only_the_hub_decides_on_suggestions(red_indicator, users, role):
    with pytest.raises(PermissionDenied):
        services.suggestion_decide(
            user=users[role],
            reference="STF15",
            period=dec_period(),
            outcome="dismissed",
            note="Not for you to say.",
        )


# --- Requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["hub", "cmt", "head", "director", "scrutiny"])
def test_who_may_request_a_clinic(red_indicator, users, role):
    clinic = services.clinic_request(
        user=users[role], references=["STF15"], reason="Worried about sickness absence.", urgency="routine"
    )
    assert clinic.requested_by == users[role]
    assert ClinicEvent.objects.filter(clinic=clinic, action="requested", by=users[role]).exists()


@pytest.mark.parametrize("role", ["officer", "councillor", "auditor"])
def test_others_may_not_request_a_clinic(red_indicator, users, role):
    with pytest.raises(PermissionDenied):
        services.clinic_request(
            user=users[role],
            references=["STF15"],
            reason="Worried about sickness absence.",
            urgency="routine",
        )
    assert not Clinic.objects.exists()


def test_the_responsible_officer_may_request_for_their_indicator(red_indicator, users):
    red_indicator.responsible_officer = users["officer"]
    red_indicator.save()
    assert services.clinic_request(
        user=users["officer"],
        references=["STF15"],
        reason="Worried about sickness absence.",
        urgency="routine",
    )


def test_a_head_may_not_request_for_another_service(other_indicator, users):
    with pytest.raises(PermissionDenied):
        services.clinic_request(
            user=users["head"], references=["WST01"], reason="Worried about missed bins.", urgency="routine"
        )


def test_a_request_mixing_allowed_and_refused_indicators_saves_nothing(red_indicator, other_indicator, users):
    with pytest.raises(ValidationError) as error:
        services.clinic_request(
            user=users["head"], references=["STF15", "WST01"], reason="Worried about both.", urgency="routine"
        )
    assert "WST01" in error.value.message_dict["indicators"][0]
    assert not Clinic.objects.exists()


def test_bad_request_input_is_refused_with_messages(red_indicator, users):
    with pytest.raises(ValidationError) as error:
        services.clinic_request(
            user=users["hub"], references=["NOPE1"], reason="!!!!!!!!!!!!", urgency="whenever"
        )
    assert set(error.value.message_dict) == {"indicators", "reason", "urgency"}
    with pytest.raises(ValidationError) as error:
        services.clinic_request(
            user=users["hub"], references=[], reason="A good long reason.", urgency="soon"
        )
    assert "indicators" in error.value.message_dict
    assert not Clinic.objects.exists()


def test_several_indicators_in_one_request(red_indicator, other_indicator, users):
    clinic = services.clinic_request(
        user=users["hub"],
        references=["STF15", "WST01", "STF15"],
        reason="Two related concerns.",
        urgency="urgent",
    )
    assert sorted(clinic.indicators.values_list("reference", flat=True)) == ["STF15", "WST01"]


# --- Schedule and invitations ---------------------------------------------------------------------


def test_scheduling_emails_each_attendee_an_ics_that_parses(scheduled_clinic, future_day):
    assert scheduled_clinic.status == "scheduled"
    assert len(mail.outbox) == 3  # chair (director), head, external expert
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.invalid",
        "director@example.invalid",
        "head@example.invalid",
    ]
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert name == "clinic.ics" and mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    assert event.decoded("DTSTART").date() == future_day
    assert event.decoded("DTSTART").hour == 14
    assert str(event["LOCATION"]) == "West Offices, Room 2"
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == [
        "mailto:ann@example.invalid",
        "mailto:director@example.invalid",
        "mailto:head@example.invalid",
    ]
    assert "STF15" in str(event["SUMMARY"])


def test_moving_a_clinic_sends_an_update_with_the_same_uid(scheduled_clinic, users, future_day):
    first = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    mail.outbox.clear()
    services.clinic_schedule(
        user=users["hub"],
        clinic=scheduled_clinic,
        date=future_day + datetime.timedelta(days=1),
        start_time=datetime.time(10, 0),
        end_time=None,
        place="West Offices, Room 3",
        chair_id=users["director"].id,
        attendees=[
            services.AttendeeInput(role="external", name="Dr Ann Expert", email="ann@example.invalid")
        ],
    )
    assert len(mail.outbox) == 2 and mail.outbox[0].subject.startswith("Moved:")
    moved = next(iter(icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")))
    assert moved["UID"] == next(iter(first.walk("VEVENT")))["UID"]
    assert int(moved["SEQUENCE"]) == 1
    assert ClinicEvent.objects.filter(clinic=scheduled_clinic, action="moved").exists()


def test_cancelling_sends_a_cancellation(scheduled_clinic, users):
    mail.outbox.clear()
    sent = services.clinic_cancel(
        user=users["hub"], clinic=scheduled_clinic, reason="Performance has recovered."
    )
    assert sent == 3
    calendar = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(next(iter(calendar.walk("VEVENT")))["STATUS"]) == "CANCELLED"
    assert mail.outbox[0].subject.startswith("Cancelled:")


def test_a_clinic_in_the_past_is_refused_and_nothing_saved(requested_clinic, users):
    with pytest.raises(ValidationError) as error:
        services.clinic_schedule(
            user=users["hub"],
            clinic=requested_clinic,
            date=datetime.date(2015, 1, 1),
            start_time=datetime.time(14, 0),
            end_time=datetime.time(13, 0),
            place="",
            chair_id=None,
            attendees=[services.AttendeeInput(role="external", name="No Email")],
        )
    assert set(error.value.message_dict) == {"date", "end_time", "place", "chair", "attendees"}
    requested_clinic.refresh_from_db()
    assert requested_clinic.status == "requested" and not requested_clinic.attendees.exists()
    assert not mail.outbox


@pytest.mark.parametrize("role", ["cmt", "head", "director", "councillor"])
def test_only_the_hub_schedules_records_and_cancels(requested_clinic, users, role, future_day):
    with pytest.raises(PermissionDenied):
        services.clinic_schedule(
            user=users[role],
            clinic=requested_clinic,
            date=future_day,
            start_time=datetime.time(9),
            end_time=None,
            place="Here",
            chair_id=users["hub"].id,
            attendees=[],
        )
    with pytest.raises(PermissionDenied):
        services.clinic_cancel(user=users[role], clinic=requested_clinic, reason="Not needed any more.")


# --- Record and pack ------------------------------------------------------------------------------


def test_recording_freezes_the_pack(held_clinic, red_indicator, add_results):
    pack = held_clinic.pack
    rows = pack["indicators"][0]["rows"]
    assert pack["indicators"][0]["reference"] == "STF15"
    assert rows[-1]["period"] == "Dec 2015" and Decimal(rows[-1]["value"]) == 13
    assert pack["indicators"][0]["commentary"] == "Sickness rose again this month."
    # A result changed after the clinic leaves the frozen pack unchanged.
    add_results(red_indicator, [99], [datetime.date(2015, 12, 1)])
    held_clinic.refresh_from_db()
    assert Decimal(services.clinic_pack(held_clinic)["indicators"][0]["rows"][-1]["value"]) == 13


def test_record_needs_minutes_answers_and_a_decision(scheduled_clinic, users):
    with pytest.raises(ValidationError) as error:
        services.clinic_record(
            user=users["hub"],
            clinic=scheduled_clinic,
            minutes="",
            answer_targets="",
            answer_turnaround="x",
            answer_resources="",
            decision="misleading",
            decision_note="",
        )
    assert set(error.value.message_dict) == {
        "minutes",
        "answer_targets",
        "answer_turnaround",
        "answer_resources",
        "decision_note",
    }
    scheduled_clinic.refresh_from_db()
    assert scheduled_clinic.status == "scheduled" and scheduled_clinic.pack == {}


def test_more_frequent_updates_need_a_date_after_the_clinic(scheduled_clinic, users):
    with pytest.raises(ValidationError) as error:
        services.clinic_record(
            user=users["hub"],
            clinic=scheduled_clinic,
            minutes="Minutes of the meeting.",
            answer_targets="Targets missed lately.",
            answer_turnaround="A capacity issue.",
            answer_resources="Not at the moment.",
            decision="more_frequent_updates",
        )
    assert "monitor_monthly_until" in error.value.message_dict


# --- Remedial plans -------------------------------------------------------------------------------


def test_a_remedial_plan_is_a_draft_with_its_trajectory_and_actions(plan_inputs):
    plan = services.remedial_plan_create(**plan_inputs)
    assert plan.status == "draft"
    assert [p.period.label for p in plan.trajectory.select_related("period")] == [
        "Jan 2016",
        "Feb 2016",
        "Mar 2016",
        "Apr 2016",
        "May 2016",
        "Jun 2016",
    ]
    assert plan.actions.count() == 1


def test_a_plan_without_an_action_or_owner_is_refused(plan_inputs):
    plan_inputs["actions"] = [services.ActionInput("Do something useful.", None, None)]
    plan_inputs["owner_id"] = None
    with pytest.raises(ValidationError) as error:
        services.remedial_plan_create(**plan_inputs)
    assert {"actions", "owner"} <= set(error.value.message_dict)
    plan_inputs["actions"] = []
    with pytest.raises(ValidationError) as error:
        services.remedial_plan_create(**plan_inputs)
    assert "at least one action" in error.value.message_dict["actions"][0]
    assert not RemedialPlan.objects.exists()


def test_a_trajectory_with_a_gap_or_outside_the_plausible_range_is_refused(plan_inputs):
    offered = plan_inputs["offered_starts"]
    del plan_inputs["trajectory_values"][offered[2]]
    plan_inputs["trajectory_values"][offered[0]] = Decimal(55)
    with pytest.raises(ValidationError) as error:
        services.remedial_plan_create(**plan_inputs)
    messages = error.value.message_dict["trajectory"]
    assert any("gap" in m for m in messages) and any("plausible range" in m for m in messages)
    assert not RemedialPlan.objects.exists()


def test_a_plan_needs_a_clinic_that_decided_on_one(plan_inputs, users):
    plan_inputs["clinic"].decision = "shift_resources"
    plan_inputs["clinic"].save()
    with pytest.raises(ValidationError):
        services.remedial_plan_create(**plan_inputs)


@pytest.mark.parametrize(
    "role,stage",
    [("hub", "member"), ("hub", "cmt"), ("head", "cmt"), ("cmt", "member"), ("councillor", "cmt")],
)
def test_sign_off_by_the_wrong_role_is_refused(plan_inputs, users, role, stage):
    plan = services.remedial_plan_create(**plan_inputs)
    with pytest.raises(PermissionDenied):
        services.remedial_plan_sign_off(user=users[role], plan=plan, stage=stage)
    plan.refresh_from_db()
    assert plan.member_signed_off_at is None and plan.cmt_signed_off_at is None


def test_a_councillor_of_another_portfolio_may_not_sign_off(plan_inputs, make_user):
    from organisation.models import Portfolio

    other = make_user(
        "councillor", "other-councillor", portfolio=Portfolio.objects.create(name="Housing", slug="housing")
    )
    plan = services.remedial_plan_create(**plan_inputs)
    with pytest.raises(PermissionDenied):
        services.remedial_plan_sign_off(user=other, plan=plan, stage="member")


def signed_off_plan(plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    assert RemedialPlan.objects.get(id=plan.id).status == "draft"  # still needs CMT
    return services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")


def test_member_and_cmt_sign_off_start_tracking(plan_inputs, users):
    plan = signed_off_plan(plan_inputs, users)
    assert plan.status == "signed_off" and plan.member_signed_off_by == users["councillor"]
    assert plan.cmt_signed_off_by == users["cmt"]
    assert list(plan.events.values_list("action", flat=True)) == [
        "plan_drafted",
        "signed_off_member",
        "signed_off_cmt",
    ]


def test_returned_plan_needs_a_reason_and_clears_sign_offs(plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    with pytest.raises(ValidationError):
        services.remedial_plan_return(user=users["cmt"], plan=plan, stage="cmt", reason="no")
    plan = services.remedial_plan_return(
        user=users["cmt"], plan=plan, stage="cmt", reason="The trajectory is too slow."
    )
    assert plan.status == "returned" and plan.member_signed_off_at is None
    with pytest.raises(ValidationError):
        services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")
    plan = services.remedial_plan_resubmit(
        user=users["hub"], plan=plan, note="Trajectory steepened after CMT."
    )
    assert plan.status == "draft"


def test_results_are_tracked_against_the_trajectory_and_two_off_notify(plan_inputs, users, add_results):
    plan = signed_off_plan(plan_inputs, users)
    users["hub"].email = "hub@example.invalid"
    users["hub"].save()
    assert services.plan_tracking(plan).status == "no_results"
    add_results(plan.indicator, [12], [datetime.date(2016, 1, 1)])  # expected 12.5, up is bad: on
    tracking = services.plan_tracking(plan)
    assert tracking.status == "on_track" and tracking.rows[0].judgement_label == "On trajectory"
    add_results(plan.indicator, [12.5], [datetime.date(2016, 2, 1)])  # expected 12: off
    assert services.plan_tracking(plan).status == "off_track"
    mail.outbox.clear()
    assert services.remedial_plans_check_off_track() == 0
    add_results(plan.indicator, [12], [datetime.date(2016, 3, 1)])  # expected 11.5: off again
    assert services.remedial_plans_check_off_track() == 1
    assert sorted(mail.outbox[0].to) == ["head@example.invalid", "hub@example.invalid"] or mail.outbox[
        0
    ].to == ["hub@example.invalid"]
    assert services.remedial_plans_check_off_track() == 0  # once per period


def test_action_progress_by_its_owner_and_not_by_others(plan_inputs, users):
    plan = signed_off_plan(plan_inputs, users)
    action = plan.actions.get()
    services.remedial_action_update(
        user=users["head"], action=action, progress="on_track", note="One post filled."
    )
    action.refresh_from_db()
    assert action.progress == "on_track"
    with pytest.raises(PermissionDenied):
        services.remedial_action_update(user=users["officer"], action=action, progress="complete", note="")


def test_closing_a_plan_needs_a_note_and_keeps_its_history(plan_inputs, users):
    plan = signed_off_plan(plan_inputs, users)
    with pytest.raises(PermissionDenied):
        services.remedial_plan_close(
            user=users["cmt"], plan=plan, closure="recovered", note="Back on target now."
        )
    with pytest.raises(ValidationError):
        services.remedial_plan_close(user=users["hub"], plan=plan, closure="", note="")
    plan = services.remedial_plan_close(
        user=users["hub"], plan=plan, closure="recovered", note="Back on target now."
    )
    assert plan.status == "closed" and plan.events.filter(action="closed").exists()
    assert plan.trajectory.count() == 6  # history stays


def test_visible_clinics_by_role(held_clinic, users, other_indicator):
    visible = {
        role: services.visible_clinics(users[role]).filter(id=held_clinic.id).exists() for role in users
    }
    assert visible == {
        "officer": False,
        "head": True,
        "director": True,
        "cmt": True,
        "hub": True,
        "councillor": True,
        "scrutiny": True,
        "auditor": True,
    }


def test_held_clinics_by_indicator(held_clinic, red_indicator):
    assert services.held_clinics_by_indicator([red_indicator.id]) == {
        red_indicator.id: [(held_clinic.id, held_clinic.date)]
    }


def test_the_daily_task_runs_the_off_track_check(plan_inputs, users):
    from clinics.tasks import check_remedial_plans

    signed_off_plan(plan_inputs, users)
    assert check_remedial_plans.apply().get() == 0  # no results against the trajectory yet
