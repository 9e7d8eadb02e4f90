"""Reports on the demo council: real actions, risks, clinics and remedial plans, frozen on publication."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from clinics.models import Clinic
from fixtures.demo import delete_demo
from indicators.models import Period
from reporting.reports import services
from reporting.reports import snapshot as snap
from reporting.reports.models import Report
from service_plans.models import Action, Risk

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        Report.objects.all().delete()
        Clinic.objects.all().delete()  # delete_demo leaves the demo's clinics
        delete_demo()
        Period.objects.all().delete()


@pytest.fixture
def demo(demo_db, db):
    return {u.username: u for u in get_user_model().objects.all()}


def quarter(start):
    return Period.objects.get(kind="quarter", start=start)


@pytest.fixture
def executive(demo):
    return services.start_generation(demo["hub"], "executive", quarter(datetime.date(2015, 10, 1)).id)


def section(report, key):
    return next(s for s in report.data["sections"] if s["key"] == key)


def test_q3_executive_has_real_strategic_actions(executive):
    actions = section(executive, "strategic-actions")
    assert actions["available"] and actions["rows"]
    strategic = Action.objects.filter(
        plan__status__in=["signed_off", "annual_review"], plan__financial_year=2015, theme__isnull=False
    )
    assert {r[0] for r in actions["rows"]} == set(strategic.values_list("reference", flat=True))
    by_ref = {r[0]: dict(zip(actions["columns"], r, strict=True)) for r in actions["rows"]}
    completed = strategic.filter(status="completed").first()
    assert by_ref[completed.reference]["Status"] == "Completed"
    assert by_ref[completed.reference]["% complete"] == "100 %"
    assert any(r["Overdue"] == "Overdue" for r in by_ref.values())
    assert {r["Progress RAG"] for r in by_ref.values()} & {"On track", "Some slippage", "Off track"}
    assert "strategic actions completed" in actions["message"]


def test_q3_executive_has_escalated_risks_with_the_exempt_one_internal_only(executive):
    risks = section(executive, "risks")
    escalated = Risk.objects.filter(
        plan__status__in=["signed_off", "annual_review"],
        plan__financial_year=2015,
        escalation__in=["cmt", "executive"],
        is_closed=False,
    )
    assert risks["available"] and {r[0] for r in risks["rows"]} == set(
        escalated.values_list("reference", flat=True)
    )
    assert {r[3] for r in risks["rows"]} <= {"CMT", "Executive"}
    exempt = escalated.filter(exempt=True).values_list("reference", flat=True)
    assert exempt, "the demo has an exempt risk escalated to the Executive"
    assert [risks["rows"][i][0] for i in risks["exempt_rows"]] == list(exempt)
    public = snap.public_copy(services.build_snapshot(executive))
    public_risks = next(s for s in public["sections"] if s["key"] == "risks")
    assert not {r[0] for r in public_risks["rows"]} & set(exempt)
    assert "Responsible officer" not in public_risks["columns"]


def test_q3_executive_has_the_clinic_and_the_remedial_plan_with_its_trajectory(executive):
    clinics = section(executive, "clinics")
    held = next(r for r in clinics["rows"] if r[0].startswith("CSC03"))
    assert held[1] == "Held" and held[2] == "19 Nov 2015" and held[4] == "Agree a remedial plan"
    # FIN04's clinic was requested on 18 January 2016, after the quarter: not in Q3's report.
    assert not any(r[0].startswith("FIN04") for r in clinics["rows"])
    plans = section(executive, "clinic-remedial-plans")
    row = dict(zip(plans["columns"], plans["rows"][0], strict=True))
    assert row["Indicator"].startswith("CSC03")
    # The December result is judged; later periods (after Q3) are awaited.
    trajectory = row["Trajectory (expected / result)"]
    assert trajectory.startswith("Dec 2015: ") and "trajectory)" in trajectory.split(";")[0]
    assert "awaited" in trajectory
    # Every available section needs its narrative.
    slots = dict(services.narrative_slots(executive))
    assert {
        "section:strategic-actions",
        "section:risks",
        "section:clinics",
        "section:clinic-remedial-plans",
    } <= set(slots)


def test_dmt_and_board_reports_have_actions_risks_above_target_and_remedial_plans(demo):
    from organisation.models import Board, Directorate

    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    oce = Action.objects.filter(plan__financial_year=2015, plan__status="annual_review").first().plan
    dmt = services.start_generation(
        demo["hub"], "dmt", december.id, directorate_id=oce.service.directorate_id
    )
    actions = section(dmt, "service-plan-actions")
    assert actions["available"] and len(actions["rows"]) >= Action.objects.filter(plan=oce).count()
    assert "Progress RAG" in actions["columns"] and any(r[7] == "Overdue" for r in actions["rows"])
    above = section(dmt, "risks-above-target")
    assert above["available"] and above["rows"] and all(r[7] == "Above target" for r in above["rows"])
    assert Directorate.objects.filter(id=oce.service.directorate_id).exists()
    board = Board.objects.filter(indicators__reference="CSC03").first()
    assert board is not None, "CSC03 is on the demo's scrutiny board"
    report = services.start_generation(
        demo["hub"], "board", quarter(datetime.date(2015, 10, 1)).id, board_id=board.id
    )
    assert section(report, "remedial-plans")["rows"][0][0].startswith("CSC03")


def test_a_published_report_is_unchanged_after_a_plan_action_changes(executive, demo):
    report = executive
    for slot, label in services.narrative_slots(report):
        services.save_narrative(demo["hub"], report, slot, f"Narrative for {label}.")
    services.submit_for_review(demo["hub"], report)
    services.sign_off(demo["director"], report)
    services.publish(demo["hub"], report, confirmed=True, is_public=True)
    report.refresh_from_db()
    before = (report.digest, report.html, bytes(services.stored_file(report, "internal", "pdf").content))
    row = section(report, "strategic-actions")["rows"][0]
    frozen = report.snapshot
    action = Action.objects.get(reference=row[0], plan__financial_year=2015)
    Action.objects.filter(id=action.id).update(
        title="Renamed after publication", status="cancelled", status_reason="Changed after publication"
    )
    report.refresh_from_db()
    assert (
        report.digest,
        report.html,
        bytes(services.stored_file(report, "internal", "pdf").content),
    ) == before
    assert report.snapshot == frozen and snap.digest(report.snapshot) == report.digest
    assert next(s for s in report.snapshot["sections"] if s["key"] == "strategic-actions")["rows"][0] == row
    # A new version shows the change.
    draft = services.new_version(demo["hub"], report, "Action renamed")
    draft.refresh_from_db()
    changed = next(r for r in section(draft, "strategic-actions")["rows"] if r[0] == row[0])
    assert changed[1] == "Renamed after publication" and changed[4] == "Cancelled"


def test_the_year_end_report_records_a_plausibility_judgement_for_each_strategic_action(demo, client):
    from django.urls import reverse

    from indicators.services.periods import ensure_periods
    from reporting.reports import kinds
    from reporting.reports.services import ReportRefused

    start = datetime.date(2015, 4, 1)
    year = ensure_periods([("year", start)])[("year", start)]
    report = services.start_generation(demo["hub"], "year_end", year.id)
    plausibility = section(report, "plausibility")
    strategic = set(
        Action.objects.filter(
            plan__status__in=["signed_off", "annual_review"], plan__financial_year=2015, theme__isnull=False
        ).values_list("reference", flat=True)
    )
    assert strategic and {r[0] for r in plausibility["rows"]} == strategic
    columns = plausibility["columns"]
    for row in plausibility["rows"]:
        cells = dict(zip(columns, row, strict=True))
        assert cells["Status"] and cells["Outcome indicators: movement over the year"]
        assert cells["Judgement"] == "Not yet judged"
    movements = [r[columns.index("Outcome indicators: movement over the year")] for r in plausibility["rows"]]
    assert any("(" in m and "no result" not in m for m in movements), movements
    slots = dict(services.narrative_slots(report))
    assert all(kinds.plausibility_slot(ref) in slots for ref in strategic)

    # A judgement is required with the reasoning, on the page as in the service.
    slot = kinds.plausibility_slot(sorted(strategic)[0])
    with pytest.raises(ReportRefused, match="Choose a judgement"):
        services.save_narrative(demo["hub"], report, slot, "Reasoning without a judgement.")
    client.force_login(demo["hub"])
    url = reverse("reports:narrative", args=[report.id, slot])
    page = client.get(url)
    assert page.status_code == 200 and b'name="judgement"' in page.content
    refused = client.post(url, {"text": "Some reasoning."})
    assert refused.status_code == 400 and b"Choose a judgement" in refused.content
    assert (
        client.post(url, {"text": "Visits fell as the action began.", "judgement": "plausible"}).status_code
        == 302
    )

    choices = list(kinds.JUDGEMENTS)
    for n, reference in enumerate(sorted(strategic)[1:], start=1):
        services.save_narrative(
            demo["hub"],
            report,
            kinds.plausibility_slot(reference),
            f"Reasoning for {reference}.",
            judgement=choices[n % 3],
        )
    frozen = services.build_snapshot(report)
    table = next(s for s in frozen["sections"] if s["key"] == "plausibility")
    judged = {row[0]: dict(zip(columns, row, strict=True)) for row in table["rows"]}
    assert set(judged) == strategic
    assert all(cells["Judgement"] in kinds.JUDGEMENTS.values() for cells in judged.values())
    assert judged[sorted(strategic)[0]]["Judgement"] == "Plausible"
    assert judged[sorted(strategic)[0]]["Reasoning"] == "Visits fell as the action began."
    assert all(j["narrative"]["judgement"] for j in table["judgements"])
    assert not [
        row
        for row in services.checklist(report)
        if row["slot"].startswith("plausibility:") and not row["written"]
    ]


def test_the_demo_boards_report_shows_its_delivery_plan_and_the_change_a_remedial_plan_agreed(demo, client):
    from organisation.models import Board
    from reporting.reports.models import DeliveryPlan

    board = Board.objects.get(slug="corporate-and-scrutiny-management-committee")
    plan = DeliveryPlan.objects.get(board=board, year__label="2015/16")
    assert plan.items.count() == 5 and plan.changes.filter(action="changed").exists()
    report = services.start_generation(
        demo["hub"], "board", quarter(datetime.date(2015, 10, 1)).id, board_id=board.id
    )
    items = section(report, "delivery-plans")
    assert items["title"] == "Annual delivery plan 2015/16" and len(items["rows"]) == 5
    assert ["At risk", "On track", "On track", "Complete", "Not started"] == [r[3] for r in items["rows"]]
    changes = section(report, "delivery-plans-changes")
    assert changes["rows"] and changes["rows"][0][0].startswith("CSC03")
    assert "Web chat pilot" in changes["rows"][0][3]
    client.force_login(demo["scrutiny"])
    page = client.get(f"/reports/delivery-plans/{plan.id}/").content.decode()
    assert "Scrutinise sickness absence" in page and "Why: Q3 sickness absence is above target" in page
