"""Plan workbooks: export → import into an empty plan changes nothing; the council's own template
imports; malformed files never give a 500 or a partial write."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from indicators.models import Indicator
from organisation.models import ReportingCalendar
from service_plans import plan_import, services
from service_plans.models import Action, Plan, PlanChange, Risk
from service_plans.workbook import WorkbookError, parse_plan_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_plan(hr_plan, plan_people, make_action_data, make_risk_data, theme, indicator_factory):
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 5, 20)})
    indicator_factory("CUS01", "customer")
    stf90, cus01 = Indicator.objects.get(reference="STF90"), Indicator.objects.get(reference="CUS01")
    head = plan_people["head"]
    services.plan_update_sections(
        user=head,
        plan_id=hr_plan.id,
        data={
            "description": "HR for York",
            "staff_headcount": 38,
            "staff_fte": 35.5,
            "budget": 1250000,
            "savings_summary": "£50k in 2016/17",
        },
        seen_edit_count=None,
    )
    a1 = services.action_save(
        user=head,
        plan_id=hr_plan.id,
        action_id=None,
        data=make_action_data(
            theme=theme,
            accountable_officer=plan_people["officer"],
            status="in_progress",
            percent_complete=20,
            kind="major_project",
            frequency="monthly",
        ),
        indicators=[stf90, cus01],
    )
    services.action_save(
        user=head,
        plan_id=hr_plan.id,
        action_id=None,
        data=make_action_data(
            reference="HR-A2",
            status="completed",
            percent_complete=100,
            completed_on=datetime.date(2016, 5, 1),
        ),
        indicators=[stf90],
    )
    services.risk_save(
        user=head,
        plan_id=hr_plan.id,
        risk_id=None,
        data=make_risk_data(
            responsible_officer=plan_people["officer"], escalation="cmt", escalation_reason="Big", exempt=True
        ),
        mitigating_actions=[a1],
    )
    services.plan_indicator_add(user=head, plan_id=hr_plan.id, indicator=stf90)
    services.plan_indicator_add(user=head, plan_id=hr_plan.id, indicator=cus01)
    services.saving_add(
        user=head, plan_id=hr_plan.id, financial_year=2016, amount=Decimal("50000.00"), area="Agency staff"
    )
    return Plan.objects.get(id=hr_plan.id)


def content(plan):
    snapshot = services.plan_snapshot(Plan.objects.get(id=plan.id))
    sections = {
        k: v for k, v in snapshot["sections"].items() if k not in ("portfolio", "buddy", "years_covered")
    }
    return sections, snapshot["savings"], snapshot["actions"], snapshot["risks"], snapshot["indicators"]


def test_round_trip_into_an_empty_plan_changes_nothing(full_plan, plan_people, org):
    head = plan_people["head"]
    data = plan_import.export_plan(head, services.plan_for(head, full_plan.id))
    empty = Plan.objects.create(service=org["hr"], financial_year=2017)
    parsed = parse_plan_workbook(data)
    preview = plan_import.import_preview(empty, parsed)
    assert preview.can_confirm and not preview.unmatched_people and not preview.unknown_indicators
    plan_import.plan_import_confirm(user=head, plan_id=empty.id, parsed=parsed, seen_edit_count=None)
    assert content(empty) == content(full_plan)
    assert content(empty)[1] == [[2016, "50000.00", "Agency staff"]]
    # And again: importing the same workbook into the now-full plan changes nothing either.
    before = content(empty)
    plan_import.plan_import_confirm(
        user=head, plan_id=empty.id, parsed=parse_plan_workbook(data), seen_edit_count=None
    )
    assert content(empty) == before


def test_export_is_laid_out_like_the_template(full_plan, plan_people):
    head = plan_people["head"]
    book = load_workbook(io.BytesIO(plan_import.export_plan(head, services.plan_for(head, full_plan.id))))
    assert book.sheetnames == ["Plan", "Table 3.1 Actions", "Table 3.2 Risks", "Table 3.3 Indicators"]
    assert [c.value for c in book["Plan"]["A"][1:7]] == [
        "Service:",
        "Directorate:",
        "Service Plan Holder:",
        "Director:",
        "Cabinet Member:",
        "Date Last Updated:",
    ]
    assert [c.value for c in book["Table 3.1 Actions"][1]][:7] == [
        "Reference ID",
        "Priority Theme",
        "Action",
        "Business As Usual (state if statutory) or Major Project",
        "Accountable officer",
        "Completed by date",
        "Measurable Outcome Indicators & Frequency",
    ]
    assert [c.value for c in book["Table 3.2 Risks"][1]][:8] == [
        "Reference ID",
        "Risk",
        "Rating (RAG)",
        "Escalation",
        "Actions to Mitigate and Correct",
        "Target Rating",
        "Date Target Rating",
        "Responsible Officer",
    ]
    headings = [c.value for c in book["Table 3.3 Indicators"][1]]
    assert headings[:2] == ["Reference ID", "Indicator Description"]
    assert headings[-4:] == ["Polarity", "Latest Direction of Travel", "Responsible Officer", "Include"]
    assert headings[2].endswith(" Result")


def _council_template() -> bytes:
    """A plan kept in the council's own template: only the framework's headings, a title row above."""
    book = Workbook()
    actions = book.active
    actions.title = "Table 3.1"
    actions.append(["Table 3.1 - Actions"])
    actions.append(
        [
            "Reference ID",
            "Priority Theme",
            "Action",
            "Business As Usual (state if statutory) or Major Project",
            "Accountable officer",
            "Completed by date",
            "Measurable Outcome Indicators & Frequency",
        ]
    )
    actions.append(
        [
            "HR1",
            "A Council that Listens to Residents",
            "Cut agency spend",
            "BAU (statutory)",
            "Officer",
            datetime.datetime(2017, 3, 31),
            "STF90 (Quarterly)",
        ]
    )
    actions.append(
        [
            "HR2",
            "Unknown theme",
            "Train managers",
            "Major Project",
            "Jo Nobody",
            "31/12/2016",
            "STF90, XYZ99 monthly",
        ]
    )
    risks = book.create_sheet("Table 3.2")
    risks.append(
        [
            "Reference ID",
            "Risk",
            "Rating (RAG)",
            "Escalation",
            "Actions to Mitigate and Correct",
            "Target Rating",
            "Date Target Rating",
            "Responsible Officer",
        ]
    )
    risks.append(
        [
            "R1",
            "Agency costs rise",
            "Amber",
            "Escalated to DMT",
            "Vacancy control",
            "Green",
            "31/03/2017",
            "officer",
        ]
    )
    pis = book.create_sheet("Table 3.3")
    pis.append(
        [
            "Reference ID",
            "Indicator Description",
            "2013/14 Result",
            "2014/15 Result",
            "2015/16 Result",
            "Polarity",
            "Latest Direction of Travel",
            "Responsible Officer",
            "Include",
        ]
    )
    pis.append(["STF90", "PDR Completion", None, "71%", "82%", "Up is Good", "Good", "", "Y"])
    pis.append(["TBC", "TBC", None, None, None, "-", "-", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_council_template_imports_with_unmatched_names_listed(hr_plan, plan_people, theme):
    parsed = parse_plan_workbook(_council_template())
    assert [a["reference"] for a in parsed.actions] == ["HR1", "HR2"]
    assert parsed.actions[0]["kind"] == "bau_statutory" and parsed.actions[1]["kind"] == "major_project"
    assert parsed.actions[1]["frequency"] == "monthly"
    assert parsed.risks[0]["imported_rag"] == "amber" and parsed.risks[0]["escalation"] == "dmt"
    assert parsed.indicators == ["STF90"]
    preview = plan_import.import_preview(hr_plan, parsed)
    assert any("Jo Nobody" in name for name in preview.unmatched_people)
    assert any("XYZ99" in ref for ref in preview.unknown_indicators)
    assert preview.to_be_scored == ["R1"]
    assert preview.can_confirm, preview.row_errors
    plan_import.plan_import_confirm(
        user=plan_people["head"], plan_id=hr_plan.id, parsed=parsed, seen_edit_count=None
    )
    hr1 = Action.objects.get(plan=hr_plan, reference="HR1")
    assert hr1.accountable_officer == plan_people["officer"] and hr1.theme == theme
    assert Action.objects.get(reference="HR2").accountable_officer is None
    risk = Risk.objects.get(reference="R1")
    assert risk.current_likelihood is None and risk.imported_rag == "amber"


def test_import_pages(client, full_plan, plan_people):
    client.force_login(plan_people["head"])
    url = reverse("service_plans:import", args=[full_plan.id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"workbook": io.BytesIO(b"not a workbook")})
    assert response.status_code == 400 and "not a readable .xlsx" in response.content.decode()
    upload = io.BytesIO(_council_template())
    upload.name = "plan.xlsx"
    response = client.post(url, {"workbook": upload})
    assert response.status_code == 200 and "Jo Nobody" in response.content.decode()
    count = Action.objects.count()
    response = client.post(
        reverse("service_plans:import_confirm", args=[full_plan.id]), {"edit_count": full_plan.edit_count}
    )
    assert response.status_code == 302
    assert Action.objects.count() == count + 2
    export = client.get(reverse("service_plans:export", args=[full_plan.id]))
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("who", ["auditor", "director", "buddy", "other_head"])
def test_import_is_refused_to_non_keepers(client, full_plan, plan_people, who):
    client.force_login(plan_people[who])
    assert client.get(reverse("service_plans:import", args=[full_plan.id])).status_code == 403
    assert client.post(reverse("service_plans:import_confirm", args=[full_plan.id])).status_code == 403


def test_confirm_without_preview_or_with_a_bad_row_writes_nothing(client, full_plan, plan_people):
    client.force_login(plan_people["head"])
    response = client.post(reverse("service_plans:import_confirm", args=[full_plan.id]), {})
    assert response.status_code == 302
    parsed = parse_plan_workbook(_council_template())
    parsed.actions[1]["percent_complete"] = 150
    changes = PlanChange.objects.count()
    with pytest.raises(ValidationError):
        plan_import.plan_import_confirm(
            user=plan_people["head"], plan_id=full_plan.id, parsed=parsed, seen_edit_count=None
        )
    assert not Action.objects.filter(reference__in=["HR1", "HR2"]).exists()
    assert PlanChange.objects.count() == changes


def _mutated(data: bytes, cut: int, flip: int) -> bytes:
    data = bytearray(data[: max(1, cut)])
    if data:
        data[flip % len(data)] ^= 0xFF
    return bytes(data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cut=st.integers(min_value=0, max_value=20000),
    flip=st.integers(min_value=0, max_value=20000),
    cells=st.lists(
        st.one_of(
            st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30),
            st.integers(),
            st.floats(allow_nan=True),
            st.none(),
        ),
        max_size=12,
    ),
)
def test_malformed_workbooks_never_crash(hr_plan, plan_people, cut, flip, cells):
    template = _council_template()
    try:
        parse_plan_workbook(_mutated(template, cut, flip))
    except WorkbookError:
        pass
    book = Workbook()
    sheet = book.active
    sheet.title = "Table 3.1 Actions"
    sheet.append(["Reference ID", "Action", "Completed by date", "Percent complete", "Status"])
    sheet.append(cells[:5])
    sheet.append(cells[5:])
    out = io.BytesIO()
    book.save(out)
    parsed = parse_plan_workbook(out.getvalue())
    preview = plan_import.import_preview(hr_plan, parsed)
    before = (Action.objects.count(), PlanChange.objects.count())
    if not preview.can_confirm:
        return
    try:
        plan_import.plan_import_confirm(
            user=plan_people["head"], plan_id=hr_plan.id, parsed=parsed, seen_edit_count=None
        )
    except Exception as error:  # a refusal must be a ValidationError, and must write nothing
        assert isinstance(error, ValidationError), error
        assert (Action.objects.count(), PlanChange.objects.count()) == before


def test_export_survives_control_characters(full_plan, plan_people):
    Plan.objects.filter(id=full_plan.id).update(description="Bell \x07 and backspace \x08")
    head = plan_people["head"]
    book = load_workbook(io.BytesIO(plan_import.export_plan(head, services.plan_for(head, full_plan.id))))
    assert any("Bell" in str(c.value) for c in book["Plan"]["B"])
