"""Export a plan to its workbook, and import one: preview (matches and what is unmatched), then confirm.

People named as officers are matched to users by full name, user name or email; those that
match nobody are listed in the preview and left blank on confirm, never silently dropped.
Indicator references are matched to the library (unknown ones are listed and skipped); themes by
name. Confirm writes everything through the plan services in one transaction: one bad row and
nothing is written.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import Indicator
from organisation.models import Theme
from service_plans import selectors, services
from service_plans.models import Action, Plan, Risk
from service_plans.workbook import (
    ESCALATION_WORDS,
    FREQUENCY_WORDS,
    KIND_WORDS,
    STATUS_WORDS,
    ParsedPlan,
    write_plan_workbook,
)

DATE_FIELDS = {"start_date", "due_date", "completed_on", "target_by", "review_date"}


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def export_plan(user, plan: Plan) -> bytes:
    page = selectors.plan_page(user, plan)
    header = {
        "service": plan.service.name,
        "directorate": plan.service.directorate.name,
        "plan_holder": plan.service.assistant_director,
        "director": plan.service.directorate.director,
        "cabinet_member": plan.portfolio.executive_member if plan.portfolio else "",
        "updated": plan.updated_at.date().isoformat(),
        "years": plan.years_label,
    }
    sections = {
        name: getattr(plan, name) for name in services.SECTION_FIELDS if name not in ("portfolio", "buddy")
    }
    actions = []
    for row in page.actions:
        a = row.action
        refs = ", ".join(i.reference for i in row.indicators)
        actions.append(
            {
                "reference": a.reference,
                "theme": a.theme.name if a.theme else "",
                "title": a.title,
                "kind": KIND_WORDS[a.kind],
                "accountable_officer": _person(a.accountable_officer),
                "due_date": a.due_date,
                "indicators": f"{refs} ({FREQUENCY_WORDS[a.frequency]})",
                "start_date": a.start_date,
                "status": STATUS_WORDS[a.status],
                "percent_complete": a.percent_complete,
                "completed_on": a.completed_on,
                "status_reason": a.status_reason,
            }
        )
    risks = []
    for row in page.risks:
        r = row.risk
        risks.append(
            {
                "reference": r.reference,
                "risk": " ".join(x for x in (r.cause, r.event, r.consequence) if x),
                "rag": row.current.label if row.current.score is not None else (r.imported_rag or "").title(),
                "escalation": ESCALATION_WORDS[r.escalation],
                "mitigation": r.mitigation,
                "target_rating": row.target.label if row.target.score is not None else "",
                "target_by": r.target_by,
                "responsible_officer": _person(r.responsible_officer),
                "cause": r.cause,
                "event": r.event,
                "consequence": r.consequence,
                "inherent_likelihood": r.inherent_likelihood,
                "inherent_impact": r.inherent_impact,
                "current_likelihood": r.current_likelihood,
                "current_impact": r.current_impact,
                "target_likelihood": r.target_likelihood,
                "target_impact": r.target_impact,
                "target_reason": r.target_reason,
                "existing_controls": r.existing_controls,
                "mitigating_actions": ", ".join(a.reference for a in r.mitigating_actions.all()),
                "review_date": r.review_date,
                "escalation_reason": r.escalation_reason,
                "exempt": "Yes" if r.exempt else "No",
            }
        )
    indicators = {
        "years": [f"{y}/{(y + 1) % 100:02d}" for y in page.years],
        "rows": [
            {
                "reference": row.indicator.reference,
                "description": row.indicator.title if row.visible else "",
                "years": [cell.text for cell in row.years],
                "polarity": row.indicator.polarity_label,
                "direction": row.direction.title() if row.direction else "",
                "responsible_officer": _person(row.indicator.responsible_officer),
                "include": "Y" if row.indicator.on_scorecard else "",
            }
            for row in page.indicators
        ],
    }
    savings = [
        [f"{x.financial_year}/{(x.financial_year + 1) % 100:02d}", x.amount, x.area]
        for x in plan.savings.all()
    ]
    return write_plan_workbook(
        header=header, sections=sections, actions=actions, risks=risks, indicators=indicators, savings=savings
    )


# --- Import ------------------------------------------------------------------------------------


@dataclass
class ImportPreview:
    parsed: ParsedPlan
    unmatched_people: list = field(default_factory=list)
    unknown_indicators: list = field(default_factory=list)
    unknown_themes: list = field(default_factory=list)
    row_errors: list = field(default_factory=list)  # (where, field, message)
    to_be_scored: list = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return not self.row_errors


def _people_index():
    index = {}
    for user in get_user_model().objects.filter(is_active=True):
        for key in (user.get_full_name(), user.get_username(), user.email):
            if key:
                index.setdefault(key.strip().lower(), user)
    return index


def _resolve(parsed: ParsedPlan):
    people = _people_index()
    themes = {t.name.strip().lower(): t for t in Theme.objects.all()}
    references = {r for a in parsed.actions for r in a["indicators"]} | set(parsed.indicators)
    library = {i.reference.lower(): i for i in Indicator.objects.filter(reference__in=references)}
    if len(library) < len(references):
        for i in Indicator.objects.all().only("id", "reference"):
            library.setdefault(i.reference.lower(), i)
    return people, themes, library


def _action_data(row, people, themes, default_start=None) -> dict:
    start = row["start_date"] or default_start
    if start and row["due_date"] and start > row["due_date"]:
        start = row["due_date"]
    return {
        "reference": row["reference"],
        "theme": themes.get(row["theme"].strip().lower()) if row["theme"] else None,
        "title": row["title"],
        "kind": row["kind"],
        "accountable_officer": people.get(row["accountable_officer"].strip().lower()),
        "start_date": start,
        "due_date": row["due_date"],
        "frequency": row["frequency"],
        "status": row["status"],
        "percent_complete": row["percent_complete"],
        "completed_on": row["completed_on"],
        "status_reason": row["status_reason"],
    }


RISK_DATA_FIELDS = (
    "reference",
    "cause",
    "event",
    "consequence",
    "inherent_likelihood",
    "inherent_impact",
    "current_likelihood",
    "current_impact",
    "target_likelihood",
    "target_impact",
    "target_by",
    "target_reason",
    "existing_controls",
    "mitigation",
    "review_date",
    "escalation",
    "escalation_reason",
    "exempt",
)


def _risk_data(row, people) -> dict:
    data = {name: row.get(name) for name in RISK_DATA_FIELDS}
    data["cause"] = data["cause"] or "Not stated in the imported workbook."
    data["responsible_officer"] = people.get((row["responsible_officer"] or "").strip().lower())
    return data


def _first_day(plan: Plan) -> datetime.date:
    return datetime.date(plan.financial_year, 4, 1)


def import_preview(plan: Plan, parsed: ParsedPlan) -> ImportPreview:
    preview = ImportPreview(parsed=parsed)
    people, themes, library = _resolve(parsed)
    for row in parsed.actions:
        name = row["accountable_officer"]
        if name and name.strip().lower() not in people:
            preview.unmatched_people.append(f"{name} (accountable officer of action {row['reference']})")
        if row["theme"] and row["theme"].strip().lower() not in themes:
            preview.unknown_themes.append(f"{row['theme']} (action {row['reference']})")
        for ref in row["indicators"]:
            if ref.lower() not in library:
                preview.unknown_indicators.append(f"{ref} (action {row['reference']})")
        if row["due_date"] is None:
            preview.row_errors.append(
                (f"Action {row['reference']}", "Completed by date", "A date is needed.")
            )
        data = _action_data(row, people, themes, _first_day(plan))
        for field_name, message in services.validate_action(data).items():
            preview.row_errors.append((f"Action {row['reference']}", field_name.replace("_", " "), message))
    matrix = services.matrix_of(services.current_matrix())
    for row in parsed.risks:
        name = row["responsible_officer"]
        if name and name.strip().lower() not in people:
            preview.unmatched_people.append(f"{name} (responsible officer of risk {row['reference']})")
        if row.get("current_likelihood") is None:
            preview.to_be_scored.append(row["reference"])
        for field_name, message in services.validate_risk(_risk_data(row, people), matrix).items():
            preview.row_errors.append((f"Risk {row['reference']}", field_name.replace("_", " "), message))
    for ref in parsed.indicators:
        if ref.lower() not in library:
            preview.unknown_indicators.append(f"{ref} (Table 3.3)")
    return preview


@transaction.atomic
def plan_import_confirm(*, user, plan_id: int, parsed: ParsedPlan, seen_edit_count: int | None) -> Plan:
    """Write the parsed workbook into the plan: sections, actions and risks (by reference: new or
    changed), Table 3.3 additions. All or nothing."""
    plan = services.plan_for(user, plan_id, need="edit", for_update=True)
    people, themes, library = _resolve(parsed)
    if parsed.sections:
        data = {name: getattr(plan, name) for name in services.SECTION_FIELDS}
        data.update(parsed.sections)
        services.plan_update_sections(
            user=user,
            plan_id=plan.id,
            data=data,
            seen_edit_count=seen_edit_count,
            reason="Imported from a workbook",
        )
        seen_edit_count = None
    present_savings = {(x.financial_year, x.amount, x.area) for x in plan.savings.all()}
    for year, amount, area in parsed.savings:
        if (year, amount, area) not in present_savings:
            services.saving_add(user=user, plan_id=plan.id, financial_year=year, amount=amount, area=area)
            present_savings.add((year, amount, area))
    existing = {a.reference: a.id for a in Action.objects.filter(plan=plan)}
    saved = {}
    for row in parsed.actions:
        indicators = [library[r.lower()] for r in row["indicators"] if r.lower() in library]
        saved[row["reference"]] = services.action_save(
            user=user,
            plan_id=plan.id,
            action_id=existing.get(row["reference"]),
            data=_action_data(row, people, themes, _first_day(plan)),
            indicators=indicators,
            seen_edit_count=seen_edit_count,
            reason="Imported from a workbook",
        )
        seen_edit_count = None
    existing_risks = {r.reference: r.id for r in Risk.objects.filter(plan=plan)}
    all_actions = {a.reference: a for a in Action.objects.filter(plan=plan)}
    for row in parsed.risks:
        risk = services.risk_save(
            user=user,
            plan_id=plan.id,
            risk_id=existing_risks.get(row["reference"]),
            data=_risk_data(row, people),
            mitigating_actions=[all_actions[r] for r in row["mitigating_actions"] if r in all_actions],
            seen_edit_count=seen_edit_count,
            reason="Imported from a workbook",
        )
        if row.get("imported_rag") and risk.current_likelihood is None:
            Risk.objects.filter(id=risk.id).update(imported_rag=row["imported_rag"])
        seen_edit_count = None
    present = set(plan.plan_indicators.values_list("indicator__reference", flat=True))
    for ref in parsed.indicators:
        indicator = library.get(ref.lower())
        if indicator is not None and indicator.reference not in present:
            services.plan_indicator_add(user=user, plan_id=plan.id, indicator=indicator)
            present.add(indicator.reference)
    return Plan.objects.get(id=plan.id)


# --- Keeping a parsed workbook between preview and confirm (in the session) ----------------------


def _plain(value):
    if isinstance(value, (datetime.date, Decimal)):
        return {"__type": type(value).__name__, "value": str(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _typed(value):
    if isinstance(value, dict) and "__type" in value:
        if value["__type"] == "date":
            return datetime.date.fromisoformat(value["value"])
        return Decimal(value["value"])
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def to_session(parsed: ParsedPlan) -> dict:
    return _plain(
        {
            "sections": parsed.sections,
            "actions": parsed.actions,
            "risks": parsed.risks,
            "indicators": parsed.indicators,
        }
    )


def from_session(data: dict) -> ParsedPlan:
    data = _typed(data)
    try:
        return ParsedPlan(
            sections=dict(data["sections"]),
            savings=[list(x) for x in data.get("savings", [])],
            actions=list(data["actions"]),
            risks=list(data["risks"]),
            indicators=list(data["indicators"]),
        )
    except (KeyError, TypeError) as error:
        raise ValidationError("The previewed workbook has expired: upload it again.") from error
