"""Generation, narrative and the workflow draft → in review → signed off → published."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from reporting.reports import services
from reporting.reports.models import CommitteeMeeting, NarrativeItem, Report
from reporting.reports.services import ReportRefused

pytestmark = pytest.mark.django_db


def test_generation_runs_as_a_task_and_builds_every_section(executive_q3):
    report = executive_q3
    assert report.generation == Report.Generation.DONE and report.generation_progress == 100
    assert report.as_at == datetime.date(2016, 1, 20)
    keys = [s["key"] for s in report.data["sections"]]
    assert keys == [
        "theme-listens",
        "strategic-actions",
        "finance-workforce",
        "risks",
        "exceptions",
        "clinics",
        "clinic-remedial-plans",
    ]
    theme = report.data["sections"][0]
    assert theme["columns"][:6] == ["Reference", "Indicator", "Period", "Result", "Target", "RAG"]
    assert len(theme["rows"]) == 6 and theme["rows"][0][2] == "Dec 2015"
    assert theme["chart"]["bars"]
    assert report.events.filter(action="generated").exists()


def test_plan_and_clinic_sections_say_plainly_when_there_is_nothing(executive_q3):
    """The generated council has no plans or clinics: the sections exist, say so, and need narrative."""
    by_key = {s["key"]: s for s in executive_q3.data["sections"]}
    for key in ("strategic-actions", "risks", "clinics", "clinic-remedial-plans"):
        assert by_key[key]["available"] is True
    # (Clinics are not asserted empty: modules that load the demo leave its clinics behind.)
    for key in ("strategic-actions", "risks"):
        assert by_key[key]["message"].startswith("No ")
        assert by_key[key]["rows"] == []
    slots = [slot for slot, _ in services.narrative_slots(executive_q3)]
    assert "section:risks" in slots and "section:theme-listens" in slots


def test_exceptions_carry_their_reasons_and_need_narrative(executive_q3):
    section = next(s for s in executive_q3.data["sections"] if s["key"] == "exceptions")
    assert section["rows"], "the generated council has red December results"
    assert all(row[7] for row in section["rows"])  # reasons in words
    references = [e["reference"] for e in section["exceptions"]]
    slots = [slot for slot, _ in services.narrative_slots(executive_q3)]
    assert all(f"exception:{ref}" in slots for ref in references)


def test_cmt_adds_statutory_and_dmt_has_the_directorate_scorecard(report_council, users, q3, org):
    report_council()
    cmt = services.start_generation(users["hub"], "cmt", q3.id)
    statutory = next(s for s in cmt.data["sections"] if s["key"] == "statutory")
    assert [r[0] for r in statutory["rows"]] == ["GEN001"]
    from indicators.models import Period

    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    dmt = services.start_generation(users["hub"], "dmt", december.id, directorate_id=org["oce"].id)
    card = next(s for s in dmt.data["sections"] if s["key"] == "directorate-scorecard")
    assert card["rows"] and all(r[0] in {"GEN001", "GEN003", "GEN005"} for r in card["rows"])
    assert next(s for s in dmt.data["sections"] if s["key"] == "service-plan-actions")["rows"] == []
    board = services.start_generation(users["hub"], "board", q3.id, board_id=org["board"].id)
    assert len(next(s for s in board.data["sections"] if s["key"] == "board-indicators")["rows"]) == 6
    plan = next(s for s in board.data["sections"] if s["key"] == "delivery-plans")
    assert plan["available"] and "No annual delivery plan for 2015/16" in plan["message"]


@pytest.mark.parametrize(
    "kind, period, scope, message",
    [
        ("nonsense", "q3", {}, "Choose a kind"),
        ("executive", None, {}, "Choose the period"),
        ("executive", "bad", {}, "Choose the period"),
        ("dmt", "q3", {}, "is for a month"),
        ("year_end", "q3", {}, "is for a year"),
    ],
)
def test_bad_generation_requests_are_refused_with_a_message(
    report_council, users, q3, kind, period, scope, message
):
    report_council()
    period_id = {"q3": q3.id, None: None, "bad": "x'1"}[period]
    with pytest.raises(ReportRefused, match=message):
        services.start_generation(users["hub"], kind, period_id, **scope)
    assert not Report.objects.exists()


def test_dmt_and_board_reports_need_their_scope(report_council, users):
    report_council()
    from indicators.models import Period

    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    with pytest.raises(ReportRefused, match="directorate"):
        services.start_generation(users["hub"], "dmt", december.id, directorate_id="999")
    with pytest.raises(ReportRefused, match="board"):
        services.start_generation(users["hub"], "board", december.id)
    # Ids int() cannot read or no column holds: refused with the same message, never a 500.
    for bad in ("¹", str(2**70)):
        with pytest.raises(ReportRefused, match="directorate"):
            services.start_generation(users["hub"], "dmt", december.id, directorate_id=bad)
        with pytest.raises(ReportRefused, match="board"):
            services.start_generation(users["hub"], "board", december.id, board_id=bad)
    assert not Report.objects.exists()


def test_regenerating_a_draft_keeps_its_narrative(executive_q3, users, q3):
    services.save_narrative(users["hub"], executive_q3, "summary", "Steady quarter.")
    again = services.start_generation(users["hub"], "executive", q3.id)
    assert again.id == executive_q3.id and again.generation == Report.Generation.DONE
    assert again.narrative.get(slot="summary").text == "Steady quarter."
    assert Report.objects.count() == 1


def test_narrative_has_author_and_reviewer_and_rewriting_asks_for_review_again(executive_q3, users):
    item = services.save_narrative(users["hub"], executive_q3, "summary", "First words.")
    assert item.author == users["hub"] and item.reviewer is None
    with pytest.raises(ReportRefused, match="someone other than its author"):
        services.review_narrative(users["hub"], executive_q3, "summary")
    reviewed = services.review_narrative(users["cmt"], executive_q3, "summary")
    assert reviewed.reviewer == users["cmt"]
    services.save_narrative(users["hub"], executive_q3, "summary", "Second words.")
    assert NarrativeItem.objects.get(report=executive_q3, slot="summary").reviewer is None
    row = services.checklist(executive_q3)[0]
    assert row["written"] and not row["reviewed"] and row["author"]


def test_empty_narrative_removes_it_and_bad_narrative_is_refused(executive_q3, users):
    services.save_narrative(users["hub"], executive_q3, "summary", "Words.")
    assert services.save_narrative(users["hub"], executive_q3, "summary", "   ") is None
    assert not NarrativeItem.objects.filter(report=executive_q3).exists()
    with pytest.raises(ReportRefused, match="does not take narrative"):
        services.save_narrative(users["hub"], executive_q3, "section:nonsense", "x")
    with pytest.raises(ReportRefused, match="20,000 characters"):
        services.save_narrative(users["hub"], executive_q3, "summary", "x" * 20_001)
    assert not NarrativeItem.objects.filter(report=executive_q3).exists()


def test_sign_off_with_missing_narrative_is_refused_with_the_checklist(executive_q3, users):
    services.submit_for_review(users["hub"], executive_q3)
    with pytest.raises(ReportRefused) as refused:
        services.sign_off(users["director"], executive_q3)
    assert {row["slot"] for row in refused.value.missing} >= {"summary", "section:theme-listens"}
    executive_q3.refresh_from_db()
    assert executive_q3.status == Report.Status.IN_REVIEW


def test_the_whole_workflow_with_history(executive_q3, users, write_all):
    report = executive_q3
    write_all(report, users["hub"])
    services.submit_for_review(users["hub"], report)
    with pytest.raises(ReportRefused, match="in review and cannot be edited"):
        services.save_narrative(users["hub"], report, "summary", "Late change")
    with pytest.raises(ReportRefused, match="Say why"):
        services.return_to_draft(users["director"], report, " ")
    services.return_to_draft(users["director"], report, "Summary too short")
    services.save_narrative(users["hub"], report, "summary", "A longer summary.")
    services.submit_for_review(users["hub"], report)
    services.sign_off(users["director"], report)
    assert report.status == Report.Status.SIGNED_OFF and report.signed_off_by == users["director"]
    with pytest.raises(ReportRefused, match="signed off and cannot be edited: issue a new version"):
        services.save_narrative(users["hub"], report, "summary", "Edited after sign-off")
    with pytest.raises(ReportRefused, match="Confirm"):
        services.publish(users["hub"], report, confirmed=False, is_public=True)
    report.refresh_from_db()
    assert report.status == Report.Status.SIGNED_OFF and not report.files.exists()
    services.publish(users["hub"], report, confirmed=True, is_public=True)
    assert report.status == Report.Status.PUBLISHED and len(report.digest) == 64
    assert report.files.count() == 4
    actions = list(report.events.order_by("at", "id").values_list("action", flat=True))
    for action in (
        "generated",
        "narrative_written",
        "submitted_for_review",
        "returned_to_draft",
        "signed_off",
        "published",
    ):
        assert action in actions
    returned = report.events.get(action="returned_to_draft")
    assert returned.by == users["director"] and returned.note == "Summary too short"
    with pytest.raises(ReportRefused, match="published"):
        services.start_generation(users["hub"], "executive", report.period_id)
    with pytest.raises(ReportRefused, match="signed-off"):
        services.publish(users["hub"], report, confirmed=True, is_public=True)


def test_publishing_with_missing_narrative_is_refused(executive_q3, users, write_all):
    write_all(executive_q3, users["hub"])
    services.submit_for_review(users["hub"], executive_q3)
    services.sign_off(users["director"], executive_q3)
    # Narrative removed behind the workflow's back (e.g. in the admin): publish still checks.
    NarrativeItem.objects.filter(report=executive_q3, slot="summary").delete()
    with pytest.raises(ReportRefused, match="missing") as refused:
        services.publish(users["hub"], executive_q3, confirmed=True, is_public=False)
    assert [row["slot"] for row in refused.value.missing] == ["summary"]


def test_who_signs_off_is_configured_per_kind(executive_q3, users, org):
    services.submit_for_review(users["hub"], executive_q3)
    for role in ("hub", "head", "officer", "councillor", "scrutiny", "auditor"):
        with pytest.raises(PermissionDenied):
            services.sign_off(users[role], executive_q3)


def test_dmt_reports_are_signed_off_by_the_hub(report_council, users, org, write_all):
    report_council()
    from indicators.models import Period

    december = Period.objects.get(kind="month", start=datetime.date(2015, 12, 1))
    dmt = services.start_generation(users["hub"], "dmt", december.id, directorate_id=org["oce"].id)
    write_all(dmt, users["director"])  # a director writes their own DMT report's narrative
    services.submit_for_review(users["director"], dmt)
    with pytest.raises(PermissionDenied):
        services.sign_off(users["director"], dmt)
    services.sign_off(users["hub"], dmt)
    assert dmt.status == Report.Status.SIGNED_OFF


def test_committee_meeting_deadlines_are_stored_and_the_report_finds_its_meeting(report_council, users, q3):
    report_council()
    meeting = CommitteeMeeting.objects.create(
        kind="executive", date=datetime.date(2016, 2, 11), title="Executive"
    )
    assert meeting.narrative_due == datetime.date(2016, 1, 28) and meeting.sign_off_due == datetime.date(
        2016, 2, 4
    )
    report = services.start_generation(users["hub"], "executive", q3.id)
    assert report.meeting == meeting


def test_exempt_sections_must_be_in_the_report(executive_q3, users):
    with pytest.raises(ReportRefused):
        services.set_exempt_sections(users["hub"], executive_q3, ["nope"])
    services.set_exempt_sections(users["hub"], executive_q3, ["finance-workforce"])
    executive_q3.refresh_from_db()
    assert executive_q3.exempt_sections == ["finance-workforce"]


def test_a_failed_generation_is_recorded_not_left_running(executive_q3, users, monkeypatch):
    from reporting.reports import sections

    def broken(scope):
        raise RuntimeError("database went away")

    monkeypatch.setitem(sections.BUILDERS, "finance_workforce", broken)
    report = services.start_generation(users["hub"], "executive", executive_q3.period_id)
    assert report.generation == Report.Generation.FAILED
    assert "database went away" in report.generation_message
