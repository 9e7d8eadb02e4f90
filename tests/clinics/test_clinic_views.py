"""Clinic pages through the test client: every denied path, error summaries, nothing half-saved."""

import datetime

import pytest
from django.core import mail

from clinics import services
from clinics.models import Clinic, RemedialPlan

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


# --- Anonymous: always the login page ------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, held_clinic, plan_inputs):
    plan = services.remedial_plan_create(**plan_inputs)
    action = plan.actions.get()
    urls = [
        "/clinics/",
        "/clinics/request/",
        f"/clinics/{held_clinic.id}/",
        f"/clinics/{held_clinic.id}/pack/",
        f"/clinics/{held_clinic.id}/schedule/",
        f"/clinics/{held_clinic.id}/record/",
        f"/clinics/{held_clinic.id}/plans/new/?indicator=STF15",
        f"/clinics/plans/{plan.id}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    posts = [
        "/clinics/request/",
        "/clinics/suggestions/decide/",
        f"/clinics/{held_clinic.id}/cancel/",
        f"/clinics/plans/{plan.id}/sign-off/",
        f"/clinics/plans/{plan.id}/return/",
        f"/clinics/plans/{plan.id}/resubmit/",
        f"/clinics/plans/{plan.id}/close/",
        f"/clinics/actions/{action.id}/",
    ]
    for url in posts:
        response = client.post(url, {"stage": "cmt"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


# --- Requests ------------------------------------------------------------------------------------


def test_the_indicator_page_offers_a_request_button_to_those_who_may(client, red_indicator, users):
    body = login(client, users["head"]).get("/indicators/STF15/").content.decode()
    assert "Request a clinic" in body and "/clinics/request/?indicator=STF15" in body
    body = login(client, users["officer"]).get("/indicators/STF15/").content.decode()
    assert "Request a clinic" not in body


@pytest.mark.parametrize("role", ["officer", "councillor", "auditor"])
def test_others_get_a_403_for_the_request_form_and_posting(client, red_indicator, users, role):
    login(client, users[role])
    assert client.get("/clinics/request/?indicator=STF15").status_code == 403
    response = client.post(
        "/clinics/request/", {"indicators": "STF15", "reason": "Worried about it.", "urgency": "soon"}
    )
    assert response.status_code == 403
    assert not Clinic.objects.exists()


def test_a_head_gets_403_for_another_services_indicator(client, other_indicator, users):
    login(client, users["head"])
    assert client.get("/clinics/request/?indicator=WST01").status_code == 403
    assert (
        client.post(
            "/clinics/request/", {"indicators": "WST01", "reason": "Worried about bins.", "urgency": "soon"}
        ).status_code
        == 403
    )


def test_request_from_an_exception_list_link_is_prefilled(client, red_indicator, users):
    period = red_indicator.assessments.select_related("period").last().period
    url = services.request_url(["STF15"], period, reason="Red for two months.")
    body = login(client, users["hub"]).get(url).content.decode()
    assert 'value="STF15"' in body and "Red for two months." in body and "Dec 2015" in body
    assert 'name="source" value="exception_list"' in body


def test_request_creates_the_clinic(client, red_indicator, users):
    response = login(client, users["director"]).post(
        "/clinics/request/",
        {
            "indicators": "STF15",
            "reason": "Sickness is red again.",
            "urgency": "soon",
            "period": "2015-12",
            "source": "exception_list",
        },
    )
    clinic = Clinic.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clinics/{clinic.id}/"
    assert clinic.source == "exception_list" and clinic.source_period.label == "Dec 2015"


def test_bad_request_shows_the_error_summary_and_saves_nothing(client, red_indicator, users):
    response = login(client, users["hub"]).post(
        "/clinics/request/", {"indicators": "", "reason": "", "urgency": ""}
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in body and 'href="#id_reason"' in body and 'href="#id_urgency"' in body
    assert 'id="id_reason-error"' in body
    assert not Clinic.objects.exists()


# --- Clinic pages ----------------------------------------------------------------------------------


def test_clinic_page_hides_contact_details_from_all_but_the_hub(client, scheduled_clinic, users):
    body = login(client, users["hub"]).get(f"/clinics/{scheduled_clinic.id}/").content.decode()
    assert "ann@example.invalid" in body and "Dr Ann Expert" in body
    body = login(client, users["cmt"]).get(f"/clinics/{scheduled_clinic.id}/").content.decode()
    assert "Dr Ann Expert" in body and "ann@example.invalid" not in body


@pytest.mark.parametrize("role", ["officer"])
def test_out_of_scope_users_get_403_for_a_clinic(client, scheduled_clinic, users, role):
    login(client, users[role])
    assert client.get(f"/clinics/{scheduled_clinic.id}/").status_code == 403
    assert client.get(f"/clinics/{scheduled_clinic.id}/pack/").status_code == 403
    assert client.get("/clinics/999999/").status_code == 404


@pytest.mark.parametrize("role", ["cmt", "head", "director", "councillor", "scrutiny", "auditor"])
def test_only_the_hub_schedules_records_cancels_and_decides(client, scheduled_clinic, users, role):
    login(client, users[role])
    assert client.get(f"/clinics/{scheduled_clinic.id}/schedule/").status_code == 403
    assert client.post(f"/clinics/{scheduled_clinic.id}/schedule/", {"date": "2099-01-01"}).status_code == 403
    assert client.get(f"/clinics/{scheduled_clinic.id}/record/").status_code == 403
    assert (
        client.post(
            f"/clinics/{scheduled_clinic.id}/cancel/", {"reason": "No longer needed here."}
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/clinics/suggestions/decide/",
            {
                "indicator": "STF15",
                "period": "2015-12",
                "outcome": "dismissed",
                "note": "Not needed at all.",
            },
        ).status_code
        == 403
    )
    assert Clinic.objects.get().status == "scheduled"


def test_schedule_form_in_the_past_shows_errors_and_sends_nothing(client, requested_clinic, users):
    response = login(client, users["hub"]).post(
        f"/clinics/{requested_clinic.id}/schedule/",
        {
            "date": "2015-01-01",
            "start_time": "14:00",
            "place": "",
            "chair": "",
            "attendee-0-role": "external",
            "attendee-0-name": "Ann",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and "There is a problem" in body
    assert "The clinic&#x27;s date must be today or in the future." in body
    assert "needs a name and an email address" in body and 'href="#id_chair"' in body
    response = client.post(
        f"/clinics/{requested_clinic.id}/schedule/", {"date": "31/02/2030", "start_time": "25:00"}
    )
    body = response.content.decode()
    assert response.status_code == 400 and "24-hour time" in body and "real date" in body
    assert not mail.outbox and Clinic.objects.get().status == "requested"


def test_schedule_form_sends_invitations(client, requested_clinic, users, future_day):
    users["head"].email = "head@example.invalid"
    users["head"].save()
    response = login(client, users["hub"]).post(
        f"/clinics/{requested_clinic.id}/schedule/",
        {
            "date": future_day.isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "place": "West Offices",
            "chair": str(users["director"].id),
            "attendee-0-role": "head_of_service",
            "attendee-0-user": str(users["head"].id),
            "attendee-1-role": "external",
            "attendee-1-name": "Dr Ann Expert",
            "attendee-1-email": "ann@example.invalid",
        },
    )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ann@example.invalid",
        "head@example.invalid",
    ]  # director has no email
    assert Clinic.objects.get().attendees.count() == 3


def test_external_attendee_gets_no_access_by_being_named(client, scheduled_clinic, make_user):
    # Someone whose email matches the external attendee's but who has no scope sees nothing.
    user = make_user("officer", "ann", service=None)
    user.email = "ann@example.invalid"
    user.save()
    assert login(client, user).get(f"/clinics/{scheduled_clinic.id}/").status_code == 403


def test_record_form_errors_and_success(client, scheduled_clinic, users):
    login(client, users["hub"])
    response = client.post(f"/clinics/{scheduled_clinic.id}/record/", {"decision": "misleading"})
    assert response.status_code == 400 and 'href="#id_decision_note"' in response.content.decode()
    response = client.post(
        f"/clinics/{scheduled_clinic.id}/record/",
        {
            "minutes": "Met and discussed the figures.",
            "answer_targets": "Not met since October.",
            "answer_turnaround": "Capacity: vacancies.",
            "answer_resources": "Yes, for six months.",
            "decision": "remedial_plan",
        },
    )
    assert response.status_code == 302
    clinic = Clinic.objects.get()
    assert clinic.status == "held" and clinic.pack["indicators"][0]["reference"] == "STF15"
    body = client.get(f"/clinics/{clinic.id}/pack/").content.decode()
    assert "Frozen when the clinic was held" in body and "Dec 2015" in body


# --- Remedial plan pages ---------------------------------------------------------------------------


def plan_post(users, offered, **overrides):
    data = {
        "indicator": "STF15",
        "owner": str(users["head"].id),
        "monitoring": "Monthly to DMT and the hub.",
        "monitoring_frequency": "monthly",
        "recovery_criteria": "Three months at or below 10 days.",
        "recovery": f"{offered[5]:%Y-%m}",
        "action-0-description": "Fill the vacant posts.",
        "action-0-owner": str(users["head"].id),
        "action-0-due": "2016-03-31",
    }
    for n, start in enumerate(offered[:6]):
        data[f"trajectory-{start:%Y-%m}"] = str(12.5 - n * 0.5)
    data.update(overrides)
    return data


def test_plan_form_refuses_a_gap_and_a_missing_action(client, held_clinic, users, red_indicator):
    offered = services.trajectory_periods(red_indicator, datetime.date(2015, 12, 1))
    login(client, users["hub"])
    assert client.get(f"/clinics/{held_clinic.id}/plans/new/?indicator=STF15").status_code == 200
    data = plan_post(
        users,
        offered,
        **{f"trajectory-{offered[2]:%Y-%m}": "", "action-0-owner": "", "action-0-due": "not a date"},
    )
    response = client.post(f"/clinics/{held_clinic.id}/plans/new/", data)
    body = response.content.decode()
    assert response.status_code == 400 and "gap" in body and 'href="#id_actions"' in body
    assert not RemedialPlan.objects.exists()


def test_plan_form_with_a_parse_error_saves_nothing_even_if_the_rest_is_valid(
    client, held_clinic, users, red_indicator
):
    offered = services.trajectory_periods(red_indicator, datetime.date(2015, 12, 1))
    data = plan_post(users, offered, **{"action-1-due": "31/02/2016"})
    response = login(client, users["hub"]).post(f"/clinics/{held_clinic.id}/plans/new/", data)
    assert response.status_code == 400 and not RemedialPlan.objects.exists()


def test_plan_form_saves_a_draft(client, held_clinic, users, red_indicator):
    offered = services.trajectory_periods(red_indicator, datetime.date(2015, 12, 1))
    response = login(client, users["hub"]).post(
        f"/clinics/{held_clinic.id}/plans/new/", plan_post(users, offered)
    )
    plan = RemedialPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clinics/plans/{plan.id}/"
    assert plan.trajectory.count() == 6


@pytest.mark.parametrize("role", ["cmt", "head", "councillor"])
def test_only_the_hub_opens_the_plan_form(client, held_clinic, users, role):
    assert (
        login(client, users[role]).get(f"/clinics/{held_clinic.id}/plans/new/?indicator=STF15").status_code
        == 403
    )


def test_sign_off_buttons_and_wrong_role_posts(client, plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    body = login(client, users["councillor"]).get(f"/clinics/plans/{plan.id}/").content.decode()
    assert "Sign off as Executive Member" in body and "Sign off as CMT" not in body
    assert client.post(f"/clinics/plans/{plan.id}/sign-off/", {"stage": "cmt"}).status_code == 403
    assert client.post(f"/clinics/plans/{plan.id}/sign-off/", {"stage": "member"}).status_code == 302
    login(client, users["hub"])
    assert client.post(f"/clinics/plans/{plan.id}/sign-off/", {"stage": "cmt"}).status_code == 403
    assert client.post(f"/clinics/plans/{plan.id}/sign-off/", {"stage": "nonsense"}).status_code == 403
    login(client, users["cmt"])
    response = client.post(f"/clinics/plans/{plan.id}/return/", {"stage": "cmt", "reason": "no"})
    assert response.status_code == 400 and 'href="#id_reason"' in response.content.decode()
    assert client.post(f"/clinics/plans/{plan.id}/sign-off/", {"stage": "cmt"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "signed_off"


def test_plan_page_denied_outside_scope(client, plan_inputs, users):
    plan = services.remedial_plan_create(**plan_inputs)
    action = plan.actions.get()
    login(client, users["officer"])
    assert client.get(f"/clinics/plans/{plan.id}/").status_code == 403
    assert client.post(f"/clinics/actions/{action.id}/", {"progress": "complete"}).status_code == 403
    assert (
        client.post(
            f"/clinics/plans/{plan.id}/close/", {"closure": "recovered", "note": "All good now here."}
        ).status_code
        == 403
    )
    assert client.get("/clinics/plans/999999/").status_code == 404
    assert client.post("/clinics/actions/999999/", {}).status_code == 404


def test_the_indicator_page_shows_the_trajectory_judgement(client, plan_inputs, users, add_results):
    plan = services.remedial_plan_create(**plan_inputs)
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")
    add_results(plan.indicator, [13], [datetime.date(2016, 1, 1)])  # expected 12.5, up is bad
    body = login(client, users["hub"]).get("/indicators/STF15/").content.decode()
    assert f'id="trajectory-{plan.id}"' in body and "Off trajectory" in body and "▲" in body


def test_clinic_list_shows_suggestions_to_the_hub_and_cmt_only(client, red_indicator, users):
    body = login(client, users["hub"]).get("/clinics/").content.decode()
    assert "Clinic suggested" in body and "Accept: request a clinic" in body
    body = login(client, users["cmt"]).get("/clinics/").content.decode()
    assert "Clinic suggested" in body and "Accept: request a clinic" not in body
    body = login(client, users["head"]).get("/clinics/").content.decode()
    assert "Clinic suggested" not in body


def test_dismissing_without_a_note_shows_the_error(client, red_indicator, users):
    response = login(client, users["hub"]).post(
        "/clinics/suggestions/decide/",
        {"indicator": "STF15", "period": "2015-12", "outcome": "dismissed", "note": ""},
    )
    assert response.status_code == 400 and 'href="#id_note"' in response.content.decode()
    response = client.post(
        "/clinics/suggestions/decide/",
        {
            "indicator": "STF15",
            "period": "2015-12",
            "outcome": "accepted",
            "note": "Call it this month.",
        },
    )
    clinic = Clinic.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clinics/{clinic.id}/"


def test_hostile_query_values_never_500(client, held_clinic, users):
    login(client, users["hub"])
    for url in [
        "/clinics/request/?indicator=%3Cscript%3E&period=99999&source=__class__",
        "/clinics/request/?period=month-2015-13",
        f"/clinics/{held_clinic.id}/plans/new/?indicator=%27%22",
    ]:
        assert client.get(url).status_code in (200, 400, 403, 404), url


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pack_pdf_has_the_heading_and_the_data_table_and_stays_frozen(
    client, held_clinic, users, red_indicator, add_results
):
    login(client, users["cmt"])
    response = client.get(f"/clinics/{held_clinic.id}/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "STF15 Average sickness days per FTE" in text
    # By the indicator's one decimal place (issue 10 item 7), as its page writes them.
    assert any(line.startswith("Dec 2015 13.0 10.0") for line in text.splitlines())
    assert any(line.startswith("Oct 2015 11.0 10.0") for line in text.splitlines())
    assert "Page 1 of" in text
    # A result changed after the clinic leaves the frozen pack (page and PDF) unchanged.
    add_results(red_indicator, [29], [datetime.date(2015, 12, 1)])
    text = pdf_text(client.get(f"/clinics/{held_clinic.id}/pack.pdf").content)
    december = next(line for line in text.splitlines() if line.startswith("Dec 2015 13.0 10.0"))
    assert "Red" in december
    assert not [line for line in text.splitlines() if line.startswith("Dec 2015 29")]
    body = client.get(f"/clinics/{held_clinic.id}/pack/").content.decode()
    assert "<svg" in body and 'aria-label="Chart of STF15 results"' in body and ">29<" not in body


def test_the_pack_pdf_is_denied_out_of_scope(client, held_clinic, users):
    assert login(client, users["officer"]).get(f"/clinics/{held_clinic.id}/pack.pdf").status_code == 403
    client.logout()
    assert client.get(f"/clinics/{held_clinic.id}/pack.pdf").status_code == 302


def test_a_misleading_indicator_opens_a_definition_review_on_the_hub_page(client, scheduled_clinic, users):
    services.clinic_record(
        user=users["hub"],
        clinic=scheduled_clinic,
        minutes="Discussed what the indicator counts.",
        answer_targets="Targets look missed on paper.",
        answer_turnaround="Not a performance issue.",
        answer_resources="Not applicable here.",
        decision="misleading",
        decision_note="Counts long-term sickness twice when staff move post.",
    )
    body = login(client, users["hub"]).get("/clinics/").content.decode()
    assert "Definition reviews for the hub" in body and "Counts long-term sickness twice" in body


@pytest.mark.parametrize("role,shown", [("hub", True), ("councillor", True), ("officer", False)])
def test_the_clinics_navigation_link(client, users, role, shown):
    body = login(client, users[role]).get("/").content.decode()
    assert ('href="/clinics/"' in body) is shown
