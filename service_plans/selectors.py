"""Read paths for plan pages: each a fixed number of SQL queries whatever the number of rows.

Table 3.3 is read live from the indicators' stored assessments (never copied into the plan):
the year assessment of each of the last three financial years, or, for a year still running,
its latest part-year assessment marked with its period ("1,918 (Q3)").
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from indicators.access import visible_indicators
from indicators.analytics import constants as c
from indicators.formatting import format_value
from indicators.models import Assessment, Indicator
from indicators.periods import financial_year_of, year_label
from indicators.selectors import with_latest_assessment
from organisation import roles
from organisation.calendar import reporting_date
from organisation.models import Directorate, Role, Service, Theme
from service_plans import cycle, progress, risk_scoring
from service_plans.models import (
    Action,
    ActionUpdate,
    Plan,
    PlanChange,
    PlanIndicator,
    PlanningCalendar,
    PlanTransition,
    PlanVersion,
    Risk,
    RiskReview,
    ScrutinyComment,
)
from service_plans.services import matrix_of, plan_rights, progress_thresholds

CATEGORIES = [(value, label) for value, label in Indicator.Category.choices]


def visible_plans(user) -> QuerySet[Plan]:
    """The plans a user may read: the same rule as `organisation.roles.may_read_service_plan`."""
    plans = Plan.objects.all()
    if roles.reads_everything(user):
        return plans
    if not user.is_authenticated:
        return plans.none()
    role = roles.role_of(user)
    mine = Q(buddy=user)
    if role in (Role.HEAD, Role.OFFICER) and roles.service_id_of(user):
        mine |= Q(service_id=roles.service_id_of(user))
    elif role == Role.DIRECTOR and roles.directorate_id_of(user):
        mine |= Q(service__directorate_id=roles.directorate_id_of(user))
    elif role == Role.COUNCILLOR and user.profile.portfolio_id:
        mine |= Q(portfolio_id=user.profile.portfolio_id)
    return plans.filter(mine)


def plan_list(user) -> list[Plan]:
    return list(
        visible_plans(user)
        .select_related("service__directorate", "portfolio")
        .order_by("-financial_year", "service__directorate__name", "service__name")
    )


# --- Actions ---------------------------------------------------------------------------------


@dataclass
class ActionRow:
    action: Action
    progress_rag: str
    progress_label: str
    expected: int
    overdue: bool
    update_due: bool
    indicators: list = field(default_factory=list)
    last_update: ActionUpdate | None = None
    objectives_count: int = 0


def action_row(action: Action, today: datetime.date, thresholds) -> ActionRow:
    rag = progress.progress_rag(
        status=action.status,
        percent_complete=action.percent_complete,
        start=action.start_date,
        due=action.due_date,
        today=today,
        thresholds=thresholds,
    )
    updates = list(action.updates.all())
    last = updates[0] if updates else None
    return ActionRow(
        action=action,
        progress_rag=rag,
        progress_label=progress.PROGRESS_LABELS.get(rag, ""),
        expected=int(progress.expected_percent(action.start_date, action.due_date, today)),
        overdue=progress.is_overdue(status=action.status, due=action.due_date, today=today),
        update_due=progress.update_due(
            frequency=action.frequency,
            last_update=last.month if last else None,
            today=today,
            status=action.status,
        ),
        indicators=list(action.outcome_indicators.all()),
        last_update=last,
    )


def _actions_queryset():
    return Action.objects.select_related("theme", "accountable_officer").prefetch_related(
        Prefetch("outcome_indicators", queryset=with_latest_assessment(Indicator.objects.all())),
        Prefetch("updates", queryset=ActionUpdate.objects.select_related("written_by").order_by("-month")),
    )


# --- Risks -----------------------------------------------------------------------------------


@dataclass
class Rating:
    likelihood: int | None
    impact: int | None
    score: int | None
    rating: str
    label: str
    on: datetime.date | None = None


@dataclass
class RiskRow:
    risk: Risk
    inherent: Rating
    current: Rating
    target: Rating
    review_overdue: bool
    above_target: bool


def _rating(matrix, likelihood, impact, on=None) -> Rating:
    try:
        value = risk_scoring.score(matrix, likelihood, impact)
        rating = risk_scoring.rating(matrix, likelihood, impact)
    except ValueError:
        value, rating = None, risk_scoring.TO_BE_SCORED
    return Rating(likelihood, impact, value, rating, risk_scoring.RATING_LABELS[rating], on)


def risk_row(risk: Risk, today: datetime.date) -> RiskRow:
    matrix = matrix_of(risk.matrix)
    current = _rating(matrix, risk.current_likelihood, risk.current_impact, risk.current_on)
    target = _rating(matrix, risk.target_likelihood, risk.target_impact, risk.target_on)
    return RiskRow(
        risk=risk,
        inherent=_rating(matrix, risk.inherent_likelihood, risk.inherent_impact, risk.inherent_on),
        current=current,
        target=target,
        review_overdue=not risk.is_closed and risk_scoring.review_overdue(risk.review_date, today),
        above_target=current.score is not None and target.score is not None and current.score > target.score,
    )


def _risks_queryset():
    return Risk.objects.select_related("matrix", "responsible_officer").prefetch_related(
        Prefetch("mitigating_actions", queryset=Action.objects.only("id", "reference", "plan_id")),
        Prefetch("indicators", queryset=Indicator.objects.only("id", "reference", "title")),
    )


# --- Table 3.3 -------------------------------------------------------------------------------


@dataclass
class YearCell:
    label: str  # "2014/15"
    text: str  # "13,805" or "1,918 (Q3)" or ""


@dataclass
class IndicatorRow:
    entry: PlanIndicator
    indicator: Indicator
    visible: bool
    years: list[YearCell]
    direction: str
    rag: str


def _value_text(indicator: Indicator, value) -> str:
    return format_value(value, indicator.decimal_places, indicator.unit)


def table_years(plan: Plan, today: datetime.date) -> list[int]:
    """The last three financial years up to the plan's first year (and no later than today's)."""
    last = min(plan.financial_year, financial_year_of(today))
    return [last - 2, last - 1, last]


def table_3_3(user, plan: Plan, today: datetime.date) -> tuple[list[int], list[IndicatorRow], list[str]]:
    """Rows of Table 3.3 with three years' results, latest direction and RAG; and category warnings."""
    years = table_years(plan, today)
    entries = list(
        plan.plan_indicators.select_related("indicator__responsible_officer").order_by(
            "order", "indicator__reference"
        )
    )
    ids = [e.indicator_id for e in entries]
    visible = set(visible_indicators(user).filter(id__in=ids).values_list("id", flat=True)) if ids else set()
    assessments = (
        list(
            Assessment.objects.filter(indicator_id__in=ids, period__financial_year__in=years)
            .select_related("period")
            .only(
                "indicator_id",
                "value",
                "rag",
                "direction",
                "is_latest",
                "period__kind",
                "period__label",
                "period__financial_year",
                "period__start",
            )
        )
        if ids
        else []
    )
    latest = (
        {a.indicator_id: a for a in Assessment.objects.filter(indicator_id__in=ids, is_latest=True)}
        if ids
        else {}
    )
    by_indicator: dict[int, dict[int, list]] = {}
    for a in assessments:
        by_indicator.setdefault(a.indicator_id, {}).setdefault(a.period.financial_year, []).append(a)
    rows = []
    for entry in entries:
        indicator = entry.indicator
        shown = indicator.id in visible
        cells = []
        for fy in years:
            text = ""
            found = by_indicator.get(indicator.id, {}).get(fy, []) if shown else []
            year = next((a for a in found if a.period.kind == c.YEAR), None)
            if year is not None:
                text = _value_text(indicator, year.value)
            elif found:
                part = max(found, key=lambda a: (a.period.start, a.period.kind == c.QUARTER))
                short = part.period.label.split(" ")[0]
                text = f"{_value_text(indicator, part.value)} ({short})"
            cells.append(YearCell(year_label(fy), text))
        last = latest.get(indicator.id) if shown else None
        rows.append(
            IndicatorRow(
                entry=entry,
                indicator=indicator,
                visible=shown,
                years=cells,
                direction=last.direction if last else "",
                rag=last.rag if last else "",
            )
        )
    present = {e.indicator.category for e in entries}
    warnings = [
        f"The plan's indicators include none for {label.lower()}: the framework asks for all four categories."
        for value, label in CATEGORIES
        if value not in present
    ]
    return years, rows, warnings


# --- The plan page ---------------------------------------------------------------------------


@dataclass
class PlanPage:
    plan: Plan
    rights: object
    actions: list[ActionRow]
    risks: list[RiskRow]
    years: list[int]
    indicators: list[IndicatorRow]
    category_warnings: list[str]
    transitions: list[PlanTransition]
    comments: list[ScrutinyComment]
    versions: list[PlanVersion]
    changes: list[PlanChange]
    today: datetime.date
    progress_counts: dict = field(default_factory=dict)
    savings: list = field(default_factory=list)


def plan_page(user, plan: Plan) -> PlanPage:
    today = reporting_date()
    thresholds = progress_thresholds()
    actions = [action_row(a, today, thresholds) for a in _actions_queryset().filter(plan=plan)]
    risks = [risk_row(r, today) for r in _risks_queryset().filter(plan=plan)]
    years, indicators, warnings = table_3_3(user, plan, today)
    counts = {key: 0 for key in progress.PROGRESS_LABELS}
    for row in actions:
        if row.progress_rag:
            counts[row.progress_rag] += 1
    return PlanPage(
        plan=plan,
        rights=plan_rights(user, plan),
        actions=actions,
        risks=risks,
        years=years,
        indicators=indicators,
        category_warnings=warnings,
        transitions=list(plan.transitions.select_related("by")),
        comments=list(plan.comments.select_related("author")),
        versions=list(plan.versions.select_related("signed_off_by").defer("snapshot")),
        changes=list(plan.changes.select_related("by")[:30]),
        today=today,
        progress_counts=counts,
        savings=list(plan.savings.all()),
    )


def action_detail(plan: Plan, action_id: int) -> ActionRow | None:
    action = _actions_queryset().select_related("plan").filter(plan=plan, id=action_id).first()
    if action is None:
        return None
    row = action_row(action, reporting_date(), progress_thresholds())
    row.objectives_count = action.objectives.count()
    return row


def risk_detail(plan: Plan, risk_id: int) -> tuple[RiskRow, list] | None:
    risk = (
        _risks_queryset()
        .prefetch_related(Prefetch("reviews", queryset=RiskReview.objects.select_related("reviewed_by")))
        .filter(plan=plan, id=risk_id)
        .first()
    )
    if risk is None:
        return None
    return risk_row(risk, reporting_date()), list(risk.reviews.all())


# --- Cross-plan views ------------------------------------------------------------------------


def my_actions(user) -> list[ActionRow]:
    today, thresholds = reporting_date(), progress_thresholds()
    queryset = _actions_queryset().select_related("plan__service").filter(accountable_officer=user)
    return [action_row(a, today, thresholds) for a in queryset.order_by("due_date", "reference")]


def my_risks(user) -> list[RiskRow]:
    today = reporting_date()
    queryset = (
        _risks_queryset().select_related("plan__service").filter(responsible_officer=user, is_closed=False)
    )
    return [risk_row(r, today) for r in queryset.order_by("review_date", "reference")]


def corporate_risks(user) -> list[RiskRow]:
    """Risks escalated to CMT or the Executive across every plan the user may read."""
    today = reporting_date()
    queryset = (
        _risks_queryset()
        .select_related("plan__service__directorate")
        .filter(plan__in=visible_plans(user), escalation__in=[Risk.Escalation.CMT, Risk.Escalation.EXECUTIVE])
        .filter(is_closed=False)
        .order_by("plan__service__directorate__name", "plan__service__name", "reference")
    )
    return [risk_row(r, today) for r in queryset]


def version_snapshot(plan: Plan, number: int) -> tuple[PlanVersion | None, PlanVersion | None]:
    versions = {v.number: v for v in plan.versions.filter(number__in=[number, number - 1])}
    return versions.get(number), versions.get(number - 1)


# --- Plans overview (hub and CMT) and the DMT view ----------------------------------------------


def calendar_for(financial_year: int) -> cycle.Calendar:
    default = cycle.default_calendar(financial_year)
    row = PlanningCalendar.objects.filter(financial_year=financial_year).first()
    if row is None:
        return default
    return cycle.Calendar(
        templates_agreed=row.templates_agreed or default.templates_agreed,
        drafts_due=row.drafts_due or default.drafts_due,
        sign_off_due=row.sign_off_due or default.sign_off_due,
        review_from=row.review_from or default.review_from,
    )


@dataclass
class OverviewRow:
    service: Service
    plan: Plan | None
    lateness: str
    lateness_label: str


def plans_overview(financial_year: int) -> tuple[cycle.Calendar, list[OverviewRow], datetime.date]:
    """Every service's plan for the year, its state and whether it is late: five queries."""
    today = reporting_date()
    calendar = calendar_for(financial_year)
    plans = {p.service_id: p for p in Plan.objects.filter(financial_year=financial_year)}
    submitted = set(
        PlanTransition.objects.filter(plan__financial_year=financial_year, to_status=Plan.Status.DMT_REVIEW)
        .values_list("plan_id", flat=True)
        .distinct()
    )
    rows = []
    for service in Service.objects.select_related("directorate").order_by("directorate__name", "name"):
        plan = plans.get(service.id)
        late = cycle.lateness(
            plan.status if plan else None,
            ever_submitted=bool(plan and plan.id in submitted),
            today=today,
            calendar=calendar,
        )
        rows.append(OverviewRow(service, plan, late, cycle.LATENESS_LABELS[late]))
    return calendar, rows, today


@dataclass
class DmtRow:
    plan: Plan
    counts: dict
    overdue: int
    risks_above_target: list


def dmt_view(directorate: Directorate) -> list[DmtRow]:
    """Each plan of the directorate covering this financial year (or next year's draft): action
    progress counts, overdue actions and risks above target. Four queries."""
    today, thresholds = reporting_date(), progress_thresholds()
    year = financial_year_of(today)
    plans = [
        p
        for p in Plan.objects.filter(service__directorate=directorate, financial_year__lte=year + 1)
        .select_related("service")
        .order_by("service__name", "-financial_year")
        if p.financial_year + p.years_covered - 1 >= year
    ]
    by_plan = {p.id: DmtRow(p, {key: 0 for key in progress.PROGRESS_LABELS}, 0, []) for p in plans}
    for action in Action.objects.filter(plan_id__in=by_plan).only(
        "id", "plan_id", "status", "percent_complete", "start_date", "due_date"
    ):
        row = by_plan[action.plan_id]
        rag = progress.progress_rag(
            status=action.status,
            percent_complete=action.percent_complete,
            start=action.start_date,
            due=action.due_date,
            today=today,
            thresholds=thresholds,
        )
        if rag:
            row.counts[rag] += 1
        if progress.is_overdue(status=action.status, due=action.due_date, today=today):
            row.overdue += 1
    for risk in Risk.objects.filter(plan_id__in=by_plan, is_closed=False).select_related("matrix"):
        rated = risk_row(risk, today)
        if rated.above_target:
            by_plan[risk.plan_id].risks_above_target.append(rated)
    return list(by_plan.values())


def theme_line_of_sight(user, theme: Theme) -> dict:
    """A theme's plans, actions and indicators, within what the user may read."""
    plans = visible_plans(user)
    actions = list(
        Action.objects.filter(theme=theme, plan__in=plans)
        .select_related("plan__service")
        .order_by("plan__service__name", "reference")
    )
    indicators = list(
        with_latest_assessment(visible_indicators(user).filter(themes=theme)).order_by("reference")
    )
    plan_list_ = sorted({a.plan for a in actions}, key=lambda p: (p.service.name, p.financial_year))
    return {"actions": actions, "indicators": indicators, "plans": plan_list_}


def indicator_line_of_sight(user, indicator: Indicator) -> dict:
    """The actions that aim to move an indicator and the risks that name it, within the user's plans."""
    plans = visible_plans(user)
    today, thresholds = reporting_date(), progress_thresholds()
    actions = [
        action_row(a, today, thresholds)
        for a in _actions_queryset()
        .select_related("plan__service")
        .filter(outcome_indicators=indicator, plan__in=plans)
        .order_by("plan__service__name", "reference")
    ]
    risks = [
        risk_row(r, today)
        for r in _risks_queryset()
        .select_related("plan__service")
        .filter(indicators=indicator, plan__in=plans)
        .order_by("plan__service__name", "reference")
    ]
    return {"actions": actions, "risks": risks}
