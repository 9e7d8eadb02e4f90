"""Writes to Service Improvement Plans: every one checks the user's rights and logs who, when and why.

Each service runs in one transaction; bad input raises `ValidationError` with messages by field
and writes nothing. A signed-off plan is frozen: the first edit after sign-off starts a new
version in draft, which goes through the review again (the signed-off one stays in
`PlanVersion`). Stale forms (a plan saved by someone else since the form was opened) are refused
with what changed, never silently overwritten.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from organisation import roles
from organisation.calendar import reporting_date
from organisation.models import Role
from service_plans import cycle, progress, risk_scoring
from service_plans.models import (
    Action,
    ActionUpdate,
    Plan,
    PlanChange,
    PlanIndicator,
    PlanTransition,
    PlanVersion,
    Risk,
    RiskMatrix,
    RiskReview,
    ScrutinyComment,
)

SECTION_FIELDS = (
    "years_covered",
    "portfolio",
    "buddy",
    "description",
    "customers",
    "client_groups",
    "teams",
    "partners",
    "demographics",
    "strategies",
    "drivers",
    "challenging_performance",
    "risks_and_issues",
    "staff_headcount",
    "staff_fte",
    "budget",
    "future_for_customer",
    "savings_summary",
    "high_level_activity",
    "foreseen_risks",
)
ACTION_FIELDS = (
    "reference",
    "theme",
    "title",
    "kind",
    "accountable_officer",
    "start_date",
    "due_date",
    "frequency",
    "status",
    "percent_complete",
    "completed_on",
    "status_reason",
)
RISK_FIELDS = (
    "reference",
    "cause",
    "event",
    "consequence",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_on",
    "current_likelihood",
    "current_impact",
    "current_on",
    "target_likelihood",
    "target_impact",
    "target_on",
    "target_by",
    "target_reason",
    "existing_controls",
    "mitigation",
    "responsible_officer",
    "review_date",
    "escalation",
    "escalation_reason",
    "exempt",
    "is_closed",
)


# --- Rights ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRights:
    read: bool
    edit: bool
    comment: bool
    moves: tuple  # the cycle moves this user may make now
    keep: bool = False  # keeps the plan (head of service or hub), whatever its state


def _scope(plan: Plan) -> dict:
    return {
        "service_id": plan.service_id,
        "directorate_id": plan.service.directorate_id,
        "portfolio_id": plan.portfolio_id,
        "buddy_id": plan.buddy_id,
    }


def _may_move(user, plan: Plan, move: cycle.Move) -> bool:
    directorate_id = plan.service.directorate_id
    if move.actor == cycle.HOLDER:
        return roles.keeps_service_plan(user, plan.service_id)
    if move.actor == cycle.DIRECTOR:
        return roles.may_review_plan_at_dmt(user, directorate_id)
    if move.actor == cycle.MEMBER:
        return roles.may_sign_off_plan(user, plan.portfolio_id)
    if move.actor == cycle.REVIEWER:
        if plan.status == Plan.Status.DMT_REVIEW:
            return roles.may_review_plan_at_dmt(user, directorate_id)
        return roles.may_sign_off_plan(user, plan.portfolio_id) or roles.may_review_plan_at_dmt(
            user, directorate_id
        )
    return False


def plan_rights(user, plan: Plan) -> PlanRights:
    read = roles.may_read_service_plan(user, **_scope(plan))
    if not read:
        return PlanRights(False, False, False, ())
    edit = roles.keeps_service_plan(user, plan.service_id) and plan.is_editable
    comment = (
        (plan.buddy_id is not None and user.id == plan.buddy_id)
        or roles.is_hub(user)
        or roles.may_review_plan_at_dmt(user, plan.service.directorate_id)
        or roles.may_sign_off_plan(user, plan.portfolio_id)
    )
    moves = tuple(m for m in cycle.moves_from(plan.status) if _may_move(user, plan, m))
    return PlanRights(read, edit, comment, moves, keep=roles.keeps_service_plan(user, plan.service_id))


def plan_for(user, plan_id: int, *, need: str = "read", for_update: bool = False) -> Plan:
    """Fetch a plan and check the user's right to it in one place: 404 when missing, 403 when refused."""
    queryset = Plan.objects.select_related("service__directorate", "portfolio", "buddy", "updated_by")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    plan = queryset.filter(id=plan_id).first()
    if plan is None:
        raise Http404("No such Service Improvement Plan.")
    if not roles.may_read_service_plan(user, **_scope(plan)):
        raise PermissionDenied("This plan is outside your role's scope.")
    if need == "edit" and not roles.keeps_service_plan(user, plan.service_id):
        raise PermissionDenied("Only the head of the service (or the hub) edits its plan.")
    if need == "comment" and not plan_rights(user, plan).comment:
        raise PermissionDenied("Only the buddy manager and the plan's reviewers leave scrutiny comments.")
    return plan


# --- Helpers --------------------------------------------------------------------------------


def _text(value) -> object:
    if value is None:
        return None
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    if hasattr(value, "pk"):
        return str(value)
    return value


def _diff(instance, fields, data) -> dict:
    changes = {}
    for name in fields:
        if name not in data:
            continue
        old, new = getattr(instance, name), data[name]
        if isinstance(new, str):
            new = new.strip()
        if old != new and not (old in (None, "") and new in (None, "")):
            changes[name] = [_text(old), _text(new)]
    return changes


def _log(plan: Plan, user, subject: str, changes: dict, reason: str = "") -> None:
    PlanChange.objects.create(
        plan=plan,
        version=plan.version,
        subject=subject,
        by=user if user is not None and user.is_authenticated else None,
        reason=(reason or "").strip()[:2000],
        changes=changes,
    )


def _stale_message(plan: Plan, seen_edit_count: int | None) -> str | None:
    if seen_edit_count is None or seen_edit_count == plan.edit_count:
        return None
    newer = list(plan.changes.select_related("by")[: max(1, plan.edit_count - seen_edit_count)])
    parts = []
    for change in newer:
        who = change.by.get_full_name() or change.by.get_username() if change.by else "someone"
        fields = ", ".join(sorted(change.changes)) or "no fields"
        parts.append(f"{who} changed {change.subject} ({fields}) at {change.at:%H:%M on %d %b %Y}")
    return (
        "Someone else saved this plan after you opened the form, so your changes were not saved: "
        + ("; ".join(parts) or "the plan was changed")
        + ". Check their changes below and save again."
    )


def _begin_edit(plan: Plan, user, seen_edit_count: int | None, changing: bool = True) -> None:
    """Refuse edits in review and stale forms; the first edit of a signed-off plan starts a new version."""
    stale = _stale_message(plan, seen_edit_count)
    if stale:
        raise ValidationError(stale, code="stale")
    if plan.status in (Plan.Status.DMT_REVIEW, Plan.Status.MEMBER_REVIEW):
        raise ValidationError(
            "The plan is in review: it can be changed once a reviewer returns it, or after sign-off "
            "(which starts a new version).",
            code="in_review",
        )
    if plan.status == Plan.Status.ANNUAL_REVIEW:
        raise ValidationError(
            "This year's plan is in its annual review and is kept as signed off: change next year's plan.",
            code="annual_review",
        )
    if plan.status == Plan.Status.SIGNED_OFF and changing:
        PlanTransition.objects.create(
            plan=plan,
            version=plan.version + 1,
            from_status=plan.status,
            to_status=Plan.Status.DRAFT,
            by=user if user is not None and user.is_authenticated else None,
            comment=f"Version {plan.version + 1} started by an edit after sign-off; version {plan.version} stays as signed off.",
        )
        plan.version += 1
        plan.status = Plan.Status.DRAFT


def _touch(plan: Plan, user) -> None:
    plan.edit_count += 1
    plan.updated_by = user if user is not None and user.is_authenticated else None
    plan.save()


def _integrity_error(error: IntegrityError, message: str, field: str = "reference") -> ValidationError:
    return ValidationError({field: message})


# --- The plan -------------------------------------------------------------------------------


def default_portfolio_id(service_id: int) -> int | None:
    """The portfolio most of the service's indicators belong to: the plan's cabinet member."""
    from django.db.models import Count

    from indicators.models import Indicator

    row = (
        Indicator.objects.filter(service_id=service_id, portfolio__isnull=False)
        .values("portfolio")
        .annotate(n=Count("id"))
        .order_by("-n", "portfolio")
        .first()
    )
    return row["portfolio"] if row else None


@transaction.atomic
def plan_create(
    *, user, service, financial_year: int, years_covered: int = 1, portfolio=None, buddy=None
) -> Plan:
    if not roles.keeps_service_plan(user, service.id):
        raise PermissionDenied("Only the head of the service (or the hub) starts its plan.")
    errors = {}
    if not 2000 <= int(financial_year) <= 2100:
        errors["financial_year"] = "Give a financial year such as 2016 for 2016/17."
    if not 1 <= int(years_covered) <= 3:
        errors["years_covered"] = "A plan covers one to three financial years."
    if buddy is not None and buddy == user:
        errors["buddy"] = "The buddy manager must be someone other than the plan holder."
    if Plan.objects.filter(service=service, financial_year=financial_year).exists():
        errors["financial_year"] = "This service already has a plan for that financial year."
    if errors:
        raise ValidationError(errors)
    if portfolio is None:
        portfolio_id = default_portfolio_id(service.id)
    else:
        portfolio_id = portfolio.id
    plan = Plan.objects.create(
        service=service,
        financial_year=financial_year,
        years_covered=years_covered,
        portfolio_id=portfolio_id,
        buddy=buddy,
        updated_by=user if user is not None and user.is_authenticated else None,
    )
    _log(plan, user, "plan", {"status": [None, "draft"]}, "Plan started")
    return plan


def _validate_sections(data: dict) -> dict:
    errors = {}
    years = data.get("years_covered")
    if years is not None and not 1 <= int(years) <= 3:
        errors["years_covered"] = "A plan covers one to three financial years."
    for name in ("staff_headcount", "staff_fte"):
        value = data.get(name)
        if value is not None and value < 0:
            errors[name] = "Staff numbers cannot be negative."
    budget = data.get("budget")
    if budget is not None and abs(budget) >= Decimal("1e12"):
        errors["budget"] = "The budget is too large: give it in pounds, below £1 trillion."
    return errors


@transaction.atomic
def plan_update_sections(
    *, user, plan_id: int, data: dict, seen_edit_count: int | None, reason: str = ""
) -> Plan:
    plan = plan_for(user, plan_id, need="edit", for_update=True)
    errors = _validate_sections(data)
    buddy = data.get("buddy")
    if buddy is not None and buddy.id == user.id:
        errors["buddy"] = "The buddy manager must be someone other than you."
    if errors:
        raise ValidationError(errors)
    changes = _diff(plan, SECTION_FIELDS, data)
    _begin_edit(plan, user, seen_edit_count, changing=bool(changes))
    if not changes:
        return plan
    for name in SECTION_FIELDS:
        if name in data:
            value = data[name]
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _log(plan, user, "plan", changes, reason)
    _touch(plan, user)
    return plan


# --- Actions --------------------------------------------------------------------------------


def validate_action(data: dict) -> dict:
    """The rules of Table 3.1 by field: percent 0–100, completed means 100 % and a date, etc."""
    errors = {}
    percent = data.get("percent_complete")
    status = data.get("status") or Action.Status.NOT_STARTED
    start, due, done = data.get("start_date"), data.get("due_date"), data.get("completed_on")
    if percent is None:
        percent = 0
    if not 0 <= percent <= 100:
        errors["percent_complete"] = "Percent complete must be between 0 and 100."
    if start and due and due < start:
        errors["due_date"] = "The completed-by date cannot be before the start date."
    if status == Action.Status.COMPLETED:
        if percent != 100 and "percent_complete" not in errors:
            errors["percent_complete"] = "A completed action is 100 % complete."
        if not done:
            errors["completed_on"] = "Give the date the action was completed."
    if done and start and done < start:
        errors["completed_on"] = "The completion date cannot be before the start date."
    if done and status != Action.Status.COMPLETED:
        errors["completed_on"] = "Only a completed action has a completion date."
    if (
        status in (Action.Status.CANCELLED, Action.Status.DEFERRED)
        and not (data.get("status_reason") or "").strip()
    ):
        errors["status_reason"] = "Say why the action is deferred or cancelled."
    if not (data.get("reference") or "").strip():
        errors["reference"] = "Give the action a reference, e.g. OCE-A1."
    if not (data.get("title") or "").strip():
        errors["title"] = "Describe the action."
    return errors


def _editable_plan(user, plan_id: int, seen_edit_count: int | None) -> Plan:
    plan = plan_for(user, plan_id, need="edit", for_update=True)
    _begin_edit(plan, user, seen_edit_count)
    return plan


@transaction.atomic
def action_save(
    *, user, plan_id: int, action_id: int | None, data: dict, indicators=None, seen_edit_count=None, reason=""
) -> Action:
    """Create (action_id None) or change an action of the plan."""
    errors = validate_action(data)
    if errors:
        raise ValidationError(errors)
    plan = _editable_plan(user, plan_id, seen_edit_count)
    if action_id is None:
        action = Action(plan=plan)
        changes = {
            name: [None, _text(data.get(name))] for name in ACTION_FIELDS if data.get(name) not in (None, "")
        }
    else:
        action = Action.objects.filter(plan=plan, id=action_id).first()
        if action is None:
            raise Http404("No such action in this plan.")
        changes = _diff(action, ACTION_FIELDS, data)
    for name in ACTION_FIELDS:
        if name in data:
            value = data[name]
            setattr(action, name, value.strip() if isinstance(value, str) else value)
    if action.percent_complete is None:
        action.percent_complete = 0
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        raise ValidationError({"reference": "This plan already has an action with that reference."}) from None
    if indicators is not None:
        before = sorted(action.outcome_indicators.values_list("reference", flat=True)) if action_id else []
        action.outcome_indicators.set(indicators)
        after = sorted(i.reference for i in indicators)
        if before != after:
            changes["outcome_indicators"] = [", ".join(before), ", ".join(after)]
    if changes:
        _log(plan, user, f"action {action.reference}", changes, reason)
        _touch(plan, user)
    return action


@transaction.atomic
def action_delete(*, user, plan_id: int, action_id: int, reason: str, seen_edit_count=None) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the action is removed (or cancel it instead)."})
    plan = _editable_plan(user, plan_id, seen_edit_count)
    action = Action.objects.filter(plan=plan, id=action_id).first()
    if action is None:
        raise Http404("No such action in this plan.")
    _log(plan, user, f"action {action.reference}", {"removed": [action.title, None]}, reason)
    action.delete()
    _touch(plan, user)


@transaction.atomic
def action_progress_update(
    *,
    user,
    action_id: int,
    month: datetime.date,
    status: str,
    percent_complete,
    commentary: str,
    completed_on=None,
    status_reason: str = "",
) -> ActionUpdate:
    """A dated progress update (at most one per month), which also sets the action's progress.

    Progress updates are the plan's daily use: they do not start a new version of a signed-off
    plan (the plan's content is unchanged) and may be made whatever the plan's state.
    """
    action = (
        Action.objects.select_related("plan__service__directorate", "plan__portfolio")
        .select_for_update(of=("self",))
        .filter(id=action_id)
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    plan = action.plan
    if not roles.may_read_service_plan(user, **_scope(plan)):
        raise PermissionDenied("This plan is outside your role's scope.")
    if not roles.may_update_plan_action(
        user, service_id=plan.service_id, accountable_id=action.accountable_officer_id
    ):
        raise PermissionDenied(
            "Only the action's accountable officer or the head of service updates its progress."
        )
    data = {
        "reference": action.reference,
        "title": action.title,
        "start_date": action.start_date,
        "due_date": action.due_date,
        "status": status,
        "percent_complete": percent_complete,
        "completed_on": completed_on,
        "status_reason": status_reason,
    }
    errors = validate_action(data)
    if status not in Action.Status.values:
        errors["status"] = "Choose a status."
    if not (commentary or "").strip():
        errors["commentary"] = "Write a commentary: what has been done and what is next."
    if month is None:
        errors["month"] = "Give the month the update is for."
    elif month.day != 1:
        month = month.replace(day=1)
    if month and ActionUpdate.objects.filter(action=action, month=month).exists():
        errors["month"] = (
            f"This action already has an update for {month:%B %Y}: updates are at most one a month."
        )
    if month and month > reporting_date():
        errors["month"] = "An update cannot be for a month that has not started."
    if errors:
        raise ValidationError(errors)
    changes = _diff(
        action,
        ("status", "percent_complete", "completed_on", "status_reason"),
        {
            "status": status,
            "percent_complete": percent_complete,
            "completed_on": completed_on,
            "status_reason": status_reason,
        },
    )
    action.status, action.percent_complete = status, percent_complete
    action.completed_on, action.status_reason = completed_on, (status_reason or "").strip()
    action.save()
    update = ActionUpdate.objects.create(
        action=action,
        month=month,
        status=status,
        percent_complete=percent_complete,
        commentary=commentary.strip(),
        written_by=user,
    )
    changes["progress update"] = [None, f"{month:%b %Y}: {percent_complete} %"]
    _log(plan, user, f"action {action.reference}", changes, commentary.strip()[:200])
    return update


# --- Risks ----------------------------------------------------------------------------------


def matrix_of(model: RiskMatrix) -> risk_scoring.Matrix:
    return risk_scoring.Matrix(model.likelihood_levels, model.impact_levels, model.amber_from, model.red_from)


def current_matrix() -> RiskMatrix:
    """The matrix new risks are scored on (the default 5 × 5 one is made when there is none)."""
    matrix = RiskMatrix.objects.filter(is_current=True).order_by("-version").first()
    return matrix or RiskMatrix.objects.create()


@transaction.atomic
def risk_matrix_revise(
    *, user, matrix_id: int, likelihood_levels: int, impact_levels: int, amber_from: int, red_from: int
) -> RiskMatrix:
    """Change a matrix: in place while no risk uses it, otherwise as a new version (the old one is locked)."""
    if not roles.is_hub(user):
        raise PermissionDenied("The hub keeps the risk matrix.")
    try:
        risk_scoring.Matrix(likelihood_levels, impact_levels, amber_from, red_from)
    except ValueError as error:
        raise ValidationError({"red_from": str(error)}) from None
    matrix = RiskMatrix.objects.select_for_update().get(id=matrix_id)
    fields = {
        "likelihood_levels": likelihood_levels,
        "impact_levels": impact_levels,
        "amber_from": amber_from,
        "red_from": red_from,
    }
    if not matrix.risks.exists():
        for name, value in fields.items():
            setattr(matrix, name, value)
        matrix.save()
        return matrix
    RiskMatrix.objects.filter(name=matrix.name).update(is_current=False)
    latest = RiskMatrix.objects.filter(name=matrix.name).order_by("-version").first()
    return RiskMatrix.objects.create(name=matrix.name, version=latest.version + 1, is_current=True, **fields)


def validate_risk(data: dict, matrix: risk_scoring.Matrix) -> dict:
    errors = {}
    for stage in ("inherent", "current", "target"):
        message = risk_scoring.check_rating(
            matrix, data.get(f"{stage}_likelihood"), data.get(f"{stage}_impact")
        )
        if message:
            errors[f"{stage}_likelihood"] = message
    current = (data.get("current_likelihood"), data.get("current_impact"))
    target = (data.get("target_likelihood"), data.get("target_impact"))
    if (
        "current_likelihood" not in errors
        and "target_likelihood" not in errors
        and risk_scoring.target_worse_than_current(matrix, current, target)
        and not (data.get("target_reason") or "").strip()
    ):
        errors["target_reason"] = "The target rating is worse than the current one: say why."
    if (
        data.get("escalation") in (Risk.Escalation.DMT, Risk.Escalation.CMT, Risk.Escalation.EXECUTIVE)
        and not (data.get("escalation_reason") or "").strip()
    ):
        errors["escalation_reason"] = "Say why the risk is escalated."
    if not (data.get("reference") or "").strip():
        errors["reference"] = "Give the risk a reference, e.g. OCE-R1."
    if not (data.get("event") or "").strip():
        errors["event"] = "Describe the risk: what might happen."
    if not (data.get("cause") or "").strip():
        errors["cause"] = "Give the cause of the risk."
    for stage in ("inherent", "current", "target"):
        if data.get(f"{stage}_likelihood") is not None and not data.get(f"{stage}_on") and stage != "target":
            data[f"{stage}_on"] = reporting_date()
    if data.get("target_likelihood") is not None and not data.get("target_on"):
        data["target_on"] = reporting_date()
    return errors


@transaction.atomic
def risk_save(
    *,
    user,
    plan_id: int,
    risk_id: int | None,
    data: dict,
    mitigating_actions=None,
    indicators=None,
    seen_edit_count=None,
    reason="",
) -> Risk:
    plan = plan_for(user, plan_id, need="edit", for_update=True)
    if risk_id is None:
        risk = Risk(plan=plan, matrix=current_matrix())
    else:
        risk = Risk.objects.select_related("matrix").filter(plan=plan, id=risk_id).first()
        if risk is None:
            raise Http404("No such risk in this plan.")
    errors = validate_risk(data, matrix_of(risk.matrix))
    if mitigating_actions is not None and any(a.plan_id != plan.id for a in mitigating_actions):
        errors["mitigating_actions"] = "Mitigating actions must be actions of this plan."
    if errors:
        raise ValidationError(errors)
    _begin_edit(plan, user, seen_edit_count)
    if risk_id is None:
        changes = {
            name: [None, _text(data.get(name))]
            for name in RISK_FIELDS
            if data.get(name) not in (None, "", False)
        }
    else:
        changes = _diff(risk, RISK_FIELDS, data)
    for name in RISK_FIELDS:
        if name in data:
            value = data[name]
            setattr(risk, name, value.strip() if isinstance(value, str) else value)
    try:
        with transaction.atomic():
            risk.save()
    except IntegrityError:
        raise ValidationError({"reference": "This plan already has a risk with that reference."}) from None
    for relation, chosen, key in (
        ("mitigating_actions", mitigating_actions, "reference"),
        ("indicators", indicators, "reference"),
    ):
        if chosen is None:
            continue
        manager = getattr(risk, relation)
        before = sorted(manager.values_list(key, flat=True)) if risk_id else []
        manager.set(chosen)
        after = sorted(getattr(x, key) for x in chosen)
        if before != after:
            changes[relation] = [", ".join(before), ", ".join(after)]
    if changes:
        _log(plan, user, f"risk {risk.reference}", changes, reason)
        _touch(plan, user)
    return risk


@transaction.atomic
def risk_review(*, user, risk_id: int, likelihood, impact, note: str) -> RiskReview:
    """A dated review: sets the current rating and the next review date is kept by the risk form."""
    risk = Risk.objects.select_related("plan__service__directorate", "matrix").filter(id=risk_id).first()
    if risk is None:
        raise Http404("No such risk.")
    plan = risk.plan
    if not roles.may_read_service_plan(user, **_scope(plan)):
        raise PermissionDenied("This plan is outside your role's scope.")
    if not roles.may_update_plan_action(
        user, service_id=plan.service_id, accountable_id=risk.responsible_officer_id
    ):
        raise PermissionDenied("Only the risk's responsible officer or the head of service reviews it.")
    errors = {}
    message = risk_scoring.check_rating(matrix_of(risk.matrix), likelihood, impact)
    if message:
        errors["likelihood"] = message
    if not (note or "").strip():
        errors["note"] = "Write what the review found."
    if errors:
        raise ValidationError(errors)
    today = reporting_date()
    review = RiskReview.objects.create(
        risk=risk,
        reviewed_on=today,
        likelihood=likelihood,
        impact=impact,
        note=note.strip(),
        reviewed_by=user,
    )
    changes = _diff(
        risk,
        ("current_likelihood", "current_impact"),
        {"current_likelihood": likelihood, "current_impact": impact},
    )
    risk.current_likelihood, risk.current_impact, risk.current_on = likelihood, impact, today
    risk.save()
    changes["review"] = [None, str(today)]
    _log(plan, user, f"risk {risk.reference}", changes, note.strip()[:200])
    return review


# --- Table 3.3 ------------------------------------------------------------------------------


@transaction.atomic
def plan_indicator_add(*, user, plan_id: int, indicator, seen_edit_count=None) -> PlanIndicator:
    from indicators.access import visible_indicators

    plan = _editable_plan(user, plan_id, seen_edit_count)
    if indicator is None or not visible_indicators(user).filter(id=indicator.id).exists():
        raise ValidationError({"indicator": "Choose an indicator from the library."})
    if PlanIndicator.objects.filter(plan=plan, indicator=indicator).exists():
        raise ValidationError({"indicator": "This indicator is already in the plan's Table 3.3."})
    order = plan.plan_indicators.count()
    entry = PlanIndicator.objects.create(plan=plan, indicator=indicator, order=order)
    _log(plan, user, "Table 3.3", {"indicators": [None, indicator.reference]})
    _touch(plan, user)
    return entry


@transaction.atomic
def plan_indicator_remove(*, user, plan_id: int, entry_id: int, seen_edit_count=None) -> None:
    plan = _editable_plan(user, plan_id, seen_edit_count)
    entry = PlanIndicator.objects.select_related("indicator").filter(plan=plan, id=entry_id).first()
    if entry is None:
        raise Http404("No such indicator in this plan.")
    _log(plan, user, "Table 3.3", {"indicators": [entry.indicator.reference, None]})
    entry.delete()
    _touch(plan, user)


@transaction.atomic
def plan_indicator_include_set(
    *, user, plan_id: int, entry_id: int, include: bool, reason: str, seen_edit_count=None
) -> bool:
    """Table 3.3's "Include on the directorate scorecard": sets the indicator's scorecard flag
    through the library's audited service (`indicators.services.library`) and records the edit in
    the plan's history. Returns whether the flag changed."""
    from indicators.services.library import scorecard_flag_set

    plan = plan_for(user, plan_id, need="edit", for_update=True)
    entry = PlanIndicator.objects.select_related("indicator").filter(plan=plan, id=entry_id).first()
    if entry is None:
        raise Http404("No such indicator in this plan.")
    if entry.indicator.on_scorecard == include:
        return False
    _begin_edit(plan, user, seen_edit_count)
    scorecard_flag_set(user=user, indicator=entry.indicator, include=include, reason=reason)
    _log(
        plan,
        user,
        f"Table 3.3 {entry.indicator.reference}",
        {"include": ["Y" if not include else "", "Y" if include else ""]},
        reason.strip(),
    )
    _touch(plan, user)
    return True


# --- The cycle ------------------------------------------------------------------------------


def submission_problems(plan: Plan) -> list[str]:
    """What stops a plan being submitted: every action needs an outcome indicator."""
    problems = []
    actions = list(plan.actions.prefetch_related("outcome_indicators"))
    if not actions:
        problems.append("Add at least one action (Table 3.1) before submitting the plan.")
    for action in actions:
        if not action.outcome_indicators.all():
            problems.append(f"Action {action.reference} has no measurable outcome indicator.")
    return problems


def plan_snapshot(plan: Plan) -> dict:
    """The whole plan as plain data: what a version freezes."""
    actions = plan.actions.select_related("theme", "accountable_officer").prefetch_related(
        "outcome_indicators"
    )
    risks = plan.risks.select_related("responsible_officer", "matrix").prefetch_related("mitigating_actions")
    sections = {name: _text(getattr(plan, name)) for name in SECTION_FIELDS}
    return {
        "header": {
            "service": plan.service.name,
            "directorate": plan.service.directorate.name,
            "plan_holder": plan.service.assistant_director,
            "director": plan.service.directorate.director,
            "cabinet_member": plan.portfolio.executive_member if plan.portfolio else "",
            "years": plan.years_label,
        },
        "sections": sections,
        "savings": [[s.financial_year, str(s.amount), s.area] for s in plan.savings.all()],
        "actions": [
            {
                "reference": a.reference,
                "theme": a.theme.name if a.theme else "",
                "action": a.title,
                "kind": a.get_kind_display(),
                "accountable_officer": _person(a.accountable_officer),
                "start_date": str(a.start_date),
                "due_date": str(a.due_date),
                "outcome_indicators": sorted(i.reference for i in a.outcome_indicators.all()),
                "frequency": a.get_frequency_display(),
                "status": a.get_status_display(),
                "percent_complete": a.percent_complete,
            }
            for a in actions
        ],
        "risks": [
            {
                "reference": r.reference,
                "risk": f"{r.cause} {r.event} {r.consequence}".strip(),
                "current": _rating_text(r, "current"),
                "target": _rating_text(r, "target"),
                "target_by": str(r.target_by or ""),
                "escalation": r.get_escalation_display(),
                "mitigation": r.mitigation,
                "mitigating_actions": sorted(a.reference for a in r.mitigating_actions.all()),
                "responsible_officer": _person(r.responsible_officer),
                "exempt": r.exempt,
            }
            for r in risks
        ],
        "indicators": [e.indicator.reference for e in plan.plan_indicators.select_related("indicator")],
    }


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _rating_text(risk: Risk, stage: str) -> str:
    likelihood, impact = getattr(risk, f"{stage}_likelihood"), getattr(risk, f"{stage}_impact")
    matrix = matrix_of(risk.matrix)
    rating = risk_scoring.rating(matrix, likelihood, impact)
    if likelihood is None:
        return risk_scoring.RATING_LABELS[rating]
    return f"{likelihood} × {impact} = {likelihood * impact} {risk_scoring.RATING_LABELS[rating]}"


def snapshot_differences(before: dict, after: dict) -> list[str]:
    """What changed between two snapshots, in words (for the versions page)."""
    lines = []
    for name, value in after.get("sections", {}).items():
        if before.get("sections", {}).get(name) != value:
            lines.append(f"Section field {name.replace('_', ' ')} changed")
    for table, key in (("actions", "reference"), ("risks", "reference")):
        old = {row[key]: row for row in before.get(table, [])}
        new = {row[key]: row for row in after.get(table, [])}
        for ref in sorted(new.keys() - old.keys()):
            lines.append(f"{table[:-1].title()} {ref} added")
        for ref in sorted(old.keys() - new.keys()):
            lines.append(f"{table[:-1].title()} {ref} removed")
        for ref in sorted(new.keys() & old.keys()):
            fields = sorted(f for f in new[ref] if new[ref][f] != old[ref].get(f))
            if fields:
                lines.append(f"{table[:-1].title()} {ref}: {', '.join(fields).replace('_', ' ')} changed")
    old_pis, new_pis = set(before.get("indicators", [])), set(after.get("indicators", []))
    for ref in sorted(new_pis - old_pis):
        lines.append(f"Indicator {ref} added to Table 3.3")
    for ref in sorted(old_pis - new_pis):
        lines.append(f"Indicator {ref} removed from Table 3.3")
    return lines


@transaction.atomic
def plan_transition(*, user, plan_id: int, move: str, comment: str = "") -> Plan:
    """Move a plan through the cycle; a return needs a reason; sign-off freezes the version."""
    plan = plan_for(user, plan_id, for_update=True)
    chosen = cycle.move_for(move, plan.status)
    if chosen is None:
        raise ValidationError(
            {"move": f"A plan in {plan.get_status_display().lower()} cannot be moved that way."}
        )
    if not _may_move(user, plan, chosen):
        raise PermissionDenied("Your role does not make this move for this plan.")
    comment = (comment or "").strip()
    if chosen.needs_reason and len(comment) < 10:
        raise ValidationError({"comment": "Give the reason for returning the plan (at least 10 characters)."})
    if chosen.name == cycle.SUBMIT:
        problems = submission_problems(plan)
        if problems:
            raise ValidationError({"move": problems})
    if chosen.name == cycle.DMT_APPROVE and plan.portfolio_id is None:
        raise ValidationError(
            {"move": "The plan has no Executive Member portfolio to go to: set it in the plan's header."}
        )
    if chosen.name == cycle.START_REVIEW and not cycle.annual_review_open(reporting_date().month):
        raise ValidationError({"move": "The annual review cycle begins in December."})
    PlanTransition.objects.create(
        plan=plan,
        version=plan.version,
        from_status=plan.status,
        to_status=chosen.target,
        by=user,
        comment=comment[:4000],
        is_return=chosen.name == cycle.RETURN,
    )
    plan.status = chosen.target
    plan.save(update_fields=["status"])
    if chosen.name == cycle.MEMBER_APPROVE:
        PlanVersion.objects.update_or_create(
            plan=plan, number=plan.version, defaults={"snapshot": plan_snapshot(plan), "signed_off_by": user}
        )
    return plan


@transaction.atomic
def plan_comment_add(*, user, plan_id: int, text: str) -> ScrutinyComment:
    plan = plan_for(user, plan_id, need="comment")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if len(text) > 4000:
        raise ValidationError({"text": "Keep the comment under 4,000 characters."})
    return ScrutinyComment.objects.create(plan=plan, version=plan.version, author=user, text=text)


@transaction.atomic
def plan_open_next_year(*, user, plan_id: int) -> Plan:
    """The annual review: next year's plan as a draft prefilled from this one (sections, open actions, risks, indicators)."""
    plan = plan_for(user, plan_id, need="edit")
    if plan.status not in (Plan.Status.SIGNED_OFF, Plan.Status.ANNUAL_REVIEW):
        raise ValidationError({"move": "Next year's plan is opened from a signed-off plan."})
    if not cycle.annual_review_open(reporting_date().month):
        raise ValidationError({"move": "The annual review cycle begins in December."})
    year = plan.financial_year + 1
    if Plan.objects.filter(service=plan.service, financial_year=year).exists():
        raise ValidationError({"move": "This service already has a plan for next year."})
    fields = {name: getattr(plan, name) for name in SECTION_FIELDS}
    fields["years_covered"] = max(1, plan.years_covered - 1) if plan.years_covered > 1 else 1
    new = Plan.objects.create(
        service=plan.service, financial_year=year, previous_year=plan, updated_by=user, **fields
    )
    old_to_new = {}
    for action in plan.actions.exclude(status__in=progress.CLOSED).prefetch_related("outcome_indicators"):
        indicators = list(action.outcome_indicators.all())
        old_id = action.id
        action.pk = None
        action.plan = new
        action._state.adding = True
        action.save()
        action.outcome_indicators.set(indicators)
        old_to_new[old_id] = action
    for risk in plan.risks.filter(is_closed=False).prefetch_related("mitigating_actions", "indicators"):
        mitigations = [old_to_new[a.id] for a in risk.mitigating_actions.all() if a.id in old_to_new]
        indicators = list(risk.indicators.all())
        risk.pk = None
        risk.plan = new
        risk._state.adding = True
        risk.save()
        risk.mitigating_actions.set(mitigations)
        risk.indicators.set(indicators)
    PlanIndicator.objects.bulk_create(
        PlanIndicator(plan=new, indicator_id=e.indicator_id, order=e.order)
        for e in plan.plan_indicators.all()
    )
    _log(new, user, "plan", {"prefilled from": [None, str(plan)]}, "Annual review: next year's plan opened")
    if plan.status == Plan.Status.SIGNED_OFF:
        PlanTransition.objects.create(
            plan=plan,
            version=plan.version,
            from_status=plan.status,
            to_status=Plan.Status.ANNUAL_REVIEW,
            by=user,
            comment=f"Next year's plan ({new.years_label}) opened as a draft.",
        )
        plan.status = Plan.Status.ANNUAL_REVIEW
        plan.save(update_fields=["status"])
    return new


# --- Thresholds -----------------------------------------------------------------------------


def progress_thresholds() -> progress.Thresholds:
    """KPI_ACTION_ON_TRACK (default 90) and KPI_ACTION_SLIPPAGE (default 70): % of expected progress."""
    return progress.Thresholds(
        Decimal(str(getattr(settings, "KPI_ACTION_ON_TRACK", 90))),
        Decimal(str(getattr(settings, "KPI_ACTION_SLIPPAGE", 70))),
    )


def buddy_candidates():
    """Other heads of service: the people who may buddy a plan."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(profile__role=Role.HEAD).order_by("last_name", "first_name")


# --- Savings (section 2, with amounts and years) ----------------------------------------------


@transaction.atomic
def saving_add(*, user, plan_id: int, financial_year, amount, area: str, seen_edit_count=None):
    from service_plans.models import Saving

    errors = {}
    if financial_year is None or not 2000 <= financial_year <= 2100:
        errors["financial_year"] = "Give the financial year the saving falls in, e.g. 2016 for 2016/17."
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e12"):
        errors["amount"] = "Give the saving in pounds, more than £0."
    if not (area or "").strip():
        errors["area"] = "Say where the saving falls."
    if errors:
        raise ValidationError(errors)
    plan = _editable_plan(user, plan_id, seen_edit_count)
    saving = Saving.objects.create(
        plan=plan, financial_year=financial_year, amount=amount, area=area.strip()[:300]
    )
    _log(plan, user, "savings", {"saving": [None, f"{financial_year}: £{amount} {saving.area}"]})
    _touch(plan, user)
    return saving


@transaction.atomic
def saving_remove(*, user, plan_id: int, saving_id: int) -> None:
    from service_plans.models import Saving

    plan = _editable_plan(user, plan_id, None)
    saving = Saving.objects.filter(plan=plan, id=saving_id).first()
    if saving is None:
        raise Http404("No such saving in this plan.")
    _log(
        plan, user, "savings", {"saving": [f"{saving.financial_year}: £{saving.amount} {saving.area}", None]}
    )
    saving.delete()
    _touch(plan, user)
