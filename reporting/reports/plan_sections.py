"""Sections built from the Service Improvement Plans and the clinics: plain data for the snapshot.

Reporting sits above both apps, so it reads their tables here (a fixed number of queries per
section). Every cell is the text the report prints. Choices made here:
- A *strategic action* is an action with a Council Plan theme in a live plan (signed off, or in
  its annual review) covering the report period's financial year.
- Progress RAG and "overdue" are `service_plans.progress`'s, as at the report's as-at date (an
  action's status is not kept per period, so a new draft shows today's).
- "Escalated" risks are open risks escalated to CMT or the Executive; "above target" is a
  current score above the target score (`service_plans.selectors.risk_row`). An exempt risk's
  row index is listed in the section's `exempt_rows`: it is in the internal version only.
- Clinics: those held in the report's period, and those still open (requested or scheduled) at
  its end. Remedial plans: those not closed before the period began, each with its trajectory
  judged on the results of periods that ended by the period's end.
"""

import datetime
from collections import Counter

from django.db.models import Prefetch, Q

from clinics import trajectory
from clinics.models import Clinic, RemedialPlan, TrajectoryPoint
from indicators.formatting import format_value
from indicators.models import Assessment, Indicator
from indicators.periods import financial_year_of, year_label
from service_plans import progress
from service_plans.models import Action, ActionUpdate, Plan, Risk
from service_plans.selectors import risk_row
from service_plans.services import progress_thresholds

LIVE_PLAN = [Plan.Status.SIGNED_OFF, Plan.Status.ANNUAL_REVIEW]
ACTION_STATUS = dict(Action.Status.choices)
STRATEGIC_COLUMNS = [
    "Reference",
    "Action",
    "Council Plan theme",
    "Service",
    "Status",
    "% complete",
    "Progress RAG",
    "Overdue",
    "Completed by",
    "Latest update",
    "Responsible officer",
]
SERVICE_ACTION_COLUMNS = [
    "Reference",
    "Action",
    "Service",
    "Status",
    "% complete",
    "Expected %",
    "Progress RAG",
    "Overdue",
    "Completed by",
    "Responsible officer",
]
RISK_COLUMNS = [
    "Reference",
    "Risk",
    "Service",
    "Escalated to",
    "Current rating",
    "Target rating",
    "Target by",
    "Above target",
    "How it is managed",
    "Responsible officer",
]
CLINIC_COLUMNS = ["Indicators", "Status", "Date", "Reason", "Decision"]
REMEDIAL_COLUMNS = [
    "Indicator",
    "Clinic held",
    "Plan status",
    "Tracking",
    "Trajectory (expected / result)",
    "Recovery criteria",
    "Responsible officer",
]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "—"


def _date(day: datetime.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else "—"


def _live_plans(financial_year: int, **filters):
    return Plan.objects.filter(status__in=LIVE_PLAN, financial_year__lte=financial_year, **filters).filter(
        # covers the year: first year + years covered - 1 >= the year (years_covered is 1 to 3)
        Q(financial_year__gte=financial_year - 2)
    )


def _covering(plans, financial_year: int) -> list[int]:
    return [p.id for p in plans if p.financial_year + p.years_covered - 1 >= financial_year]


def _actions(plan_ids: list[int], **filters):
    return (
        Action.objects.filter(plan_id__in=plan_ids, **filters)
        .select_related("theme", "plan__service", "accountable_officer")
        .prefetch_related(
            Prefetch("updates", queryset=ActionUpdate.objects.order_by("-month").only("action_id", "month"))
        )
        .order_by("plan__service__name", "order", "reference")
    )


def _progress(action: Action, today: datetime.date, thresholds) -> tuple[str, bool, int]:
    rag = progress.progress_rag(
        status=action.status,
        percent_complete=action.percent_complete,
        start=action.start_date,
        due=action.due_date,
        today=today,
        thresholds=thresholds,
    )
    overdue = progress.is_overdue(status=action.status, due=action.due_date, today=today)
    expected = int(progress.expected_percent(action.start_date, action.due_date, today))
    return progress.PROGRESS_LABELS.get(rag, "—"), overdue, expected


def _status_chart(title: str, rows: list[list[str]], column: int) -> dict | None:
    counts = Counter(row[column] for row in rows)
    if not rows:
        return None
    return {"title": title, "bars": [{"label": k, "count": n} for k, n in counts.items()]}


def strategic_action_list(scope) -> list[Action]:
    """The strategic actions a report covers (see the module's definition)."""
    year = financial_year_of(scope.period.start)
    plan_ids = _covering(_live_plans(year), year)
    return list(_actions(plan_ids, theme__isnull=False))


def strategic_actions(scope) -> dict:
    today, thresholds = scope.as_of, progress_thresholds()
    rows = []
    for action in strategic_action_list(scope):
        label, overdue, _ = _progress(action, today, thresholds)
        updates = list(action.updates.all())
        rows.append(
            [
                action.reference,
                action.title,
                action.theme.name,
                action.plan.service.name,
                ACTION_STATUS[action.status],
                f"{action.percent_complete} %",
                label,
                "Overdue" if overdue else "No",
                _date(action.completed_on) if action.completed_on else _date(action.due_date),
                f"{updates[0].month:%b %Y}" if updates else "None yet",
                _name(action.accountable_officer),
            ]
        )
    completed = sum(1 for row in rows if row[4] == ACTION_STATUS[Action.Status.COMPLETED])
    overdue = sum(1 for row in rows if row[7] == "Overdue")
    message = (
        f"{completed} of {len(rows)} strategic actions completed; {overdue} overdue, as at {_date(today)}."
        if rows
        else "No signed-off Service Improvement Plan covering this year has actions serving a Council Plan theme."
    )
    return {
        "columns": STRATEGIC_COLUMNS,
        "rows": rows,
        "message": message,
        "chart": _status_chart("Strategic actions by status", rows, 4),
    }


def service_plan_actions(scope) -> dict:
    """DMT: every action of the directorate's live plans, with progress RAG and overdue."""
    today, thresholds = scope.as_of, progress_thresholds()
    year = financial_year_of(scope.period.start)
    plan_ids = _covering(_live_plans(year, service__directorate=scope.directorate), year)
    rows = []
    for action in _actions(plan_ids):
        label, overdue, expected = _progress(action, today, thresholds)
        rows.append(
            [
                action.reference,
                action.title,
                action.plan.service.name,
                ACTION_STATUS[action.status],
                f"{action.percent_complete} %",
                f"{expected} %",
                label,
                "Overdue" if overdue else "No",
                _date(action.due_date),
                _name(action.accountable_officer),
            ]
        )
    overdue = sum(1 for row in rows if row[7] == "Overdue")
    message = (
        f"{len(rows)} actions in the directorate's signed-off plans; {overdue} overdue, as at {_date(today)}."
        if rows
        else "No signed-off Service Improvement Plan of this directorate covers this year."
    )
    return {
        "columns": SERVICE_ACTION_COLUMNS,
        "rows": rows,
        "message": message,
        "chart": _status_chart("Actions by progress RAG", rows, 6),
    }


def _risk_rows(risks: list[Risk], today: datetime.date) -> tuple[list[list[str]], list[int]]:
    rows, exempt = [], []
    for risk in risks:
        rated = risk_row(risk, today)
        if risk.exempt:
            exempt.append(len(rows))
        rows.append(
            [
                risk.reference,
                risk.event,
                risk.plan.service.name,
                risk.get_escalation_display(),
                f"{rated.current.label} ({rated.current.score})"
                if rated.current.score
                else rated.current.label,
                f"{rated.target.label} ({rated.target.score})" if rated.target.score else rated.target.label,
                _date(risk.target_by),
                "Above target" if rated.above_target else "No",
                risk.mitigation or risk.existing_controls or "—",
                _name(risk.responsible_officer),
            ]
        )
    return rows, exempt


def _risks(plan_ids: list[int], **filters) -> list[Risk]:
    return list(
        Risk.objects.filter(plan_id__in=plan_ids, is_closed=False, **filters)
        .select_related("matrix", "plan__service", "responsible_officer")
        .order_by("plan__service__name", "order", "reference")
    )


def escalated_risks(scope) -> dict:
    year = financial_year_of(scope.period.start)
    plan_ids = _covering(_live_plans(year), year)
    risks = _risks(plan_ids, escalation__in=[Risk.Escalation.CMT, Risk.Escalation.EXECUTIVE])
    rows, exempt = _risk_rows(risks, scope.as_of)
    return {
        "columns": RISK_COLUMNS,
        "rows": rows,
        "exempt_rows": exempt,
        "message": f"{len(rows)} open risks escalated to CMT or the Executive, as at {_date(scope.as_of)}."
        if rows
        else "No open risk in a signed-off plan is escalated to CMT or the Executive.",
        "chart": None,  # a count by rating would tell the public about an exempt risk
    }


def risks_above_target(scope) -> dict:
    year = financial_year_of(scope.period.start)
    plan_ids = _covering(_live_plans(year, service__directorate=scope.directorate), year)
    risks = [r for r in _risks(plan_ids) if risk_row(r, scope.as_of).above_target]
    rows, exempt = _risk_rows(risks, scope.as_of)
    return {
        "columns": RISK_COLUMNS,
        "rows": rows,
        "exempt_rows": exempt,
        "message": f"{len(rows)} open risks rated above their target, as at {_date(scope.as_of)}."
        if rows
        else "No open risk of the directorate's signed-off plans is rated above its target.",
        "chart": None,
    }


# --- Clinics and remedial plans -------------------------------------------------------------


def clinics_held(scope) -> dict:
    start, end = scope.period.start, scope.period.end
    clinics = list(
        Clinic.objects.filter(
            Q(status=Clinic.Status.HELD, date__gte=start, date__lte=end)
            | Q(status__in=[Clinic.Status.REQUESTED, Clinic.Status.SCHEDULED], requested_at__date__lte=end)
        )
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.only("id", "reference", "title")))
        .order_by("date", "requested_at")
    )
    rows = [
        [
            ", ".join(sorted(f"{i.reference} {i.title}" for i in clinic.indicators.all())),
            clinic.get_status_display(),
            _date(clinic.date) if clinic.date else f"Requested {_date(clinic.requested_at.date())}",
            clinic.reason,
            clinic.get_decision_display() if clinic.decision else "—",
        ]
        for clinic in clinics
    ]
    held = sum(1 for row in rows if row[1] == Clinic.Status.HELD.label)
    return {
        "columns": CLINIC_COLUMNS,
        "rows": rows,
        "message": f"{held} clinics held in {scope.period.label}; {len(rows) - held} requested or scheduled."
        if rows
        else f"No clinic was held in {scope.period.label}, and none is waiting.",
        "chart": None,
    }


def remedial_plans(scope, indicator_ids=None) -> dict:
    start, end = scope.period.start, scope.period.end
    plans = RemedialPlan.objects.filter(created_at__date__lte=end).exclude(
        status=RemedialPlan.Status.CLOSED, closed_at__date__lt=start
    )
    if indicator_ids is not None:
        plans = plans.filter(indicator_id__in=indicator_ids)
    plans = list(
        plans.select_related("indicator", "clinic", "owner")
        .prefetch_related(
            Prefetch(
                "trajectory", queryset=TrajectoryPoint.objects.select_related("period"), to_attr="points"
            )
        )
        .order_by("indicator__reference", "created_at")
    )
    period_ids = [p.period_id for plan in plans for p in plan.points if p.period.end <= end]
    results = {
        (a["indicator_id"], a["period_id"]): (a["value"], a["rag"])
        for a in Assessment.objects.filter(
            indicator_id__in={p.indicator_id for p in plans}, period_id__in=period_ids
        ).values("indicator_id", "period_id", "value", "rag")
    }
    rows = []
    for plan in plans:
        indicator = plan.indicator
        judged = {
            p.period.start: results[(indicator.id, p.period_id)]
            for p in plan.points
            if p.period.end <= end and (indicator.id, p.period_id) in results
        }
        tracking = trajectory.track(
            [(p.period.start, p.period.label, p.expected) for p in plan.points], judged, indicator.polarity
        )

        def figure(value, indicator=indicator):
            return format_value(value, indicator.decimal_places, indicator.unit)

        points = "; ".join(
            f"{row.label}: {figure(row.expected)} / "
            + (
                f"{figure(row.actual)} ({row.judgement_label.lower()})"
                if row.actual is not None
                else "awaited"
            )
            for row in tracking.rows
        )
        rows.append(
            [
                f"{indicator.reference} {indicator.title}",
                _date(plan.clinic.date),
                plan.get_status_display(),
                tracking.status_label,
                points or "No trajectory",
                plan.recovery_criteria,
                _name(plan.owner),
            ]
        )
    return {
        "columns": REMEDIAL_COLUMNS,
        "rows": rows,
        "message": f"{len(rows)} remedial plans open during {scope.period.label}, with their trajectories."
        if rows
        else f"No remedial plan was open during {scope.period.label}.",
        "chart": _status_chart("Remedial plans by tracking", rows, 3),
    }


def board_remedial_plans(scope) -> dict:
    """A board's remedial plans (those for the indicators it monitors), or an exception report's
    (those for its indicators)."""
    from reporting.reports.sections import scope_indicator_ids

    return remedial_plans(scope, indicator_ids=scope_indicator_ids(scope))


# --- Boards: the annual delivery plan -------------------------------------------------------

DELIVERY_COLUMNS = ["Priority", "Owner", "Due", "Status", "Progress note"]
DELIVERY_CHANGE_COLUMNS = ["Indicator", "Remedial plan", "Agreed", "Change to the annual delivery plan"]
AGREED_PLANS = [RemedialPlan.Status.SIGNED_OFF, RemedialPlan.Status.CLOSED]


def delivery_plan(scope) -> list[tuple[str, str, dict]]:
    """Two sections: the board's annual delivery plan for the report's financial year (its
    priorities as they stand now: a new draft shows today's, the published report the freeze), and
    the changes to it agreed by the remedial plans for the board's indicators (signed off by the
    report's period end; the table the plan's section already explains, so no narrative)."""
    from reporting.reports.models import DeliveryPlan

    start, end = scope.period.start, scope.period.end
    plan = (
        DeliveryPlan.objects.filter(
            board=scope.board, year__kind="year", year__start__lte=start, year__end__gte=end
        )
        .select_related("year")
        .prefetch_related("items")
        .first()
    )
    label = plan.year.label if plan else year_label(financial_year_of(start))
    rows = (
        [
            [
                item.title,
                item.owner,
                _date(item.due_date),
                item.get_status_display(),
                item.progress_note or "—",
            ]
            for item in plan.items.all()
        ]
        if plan
        else []
    )
    if plan is None:
        message = f"No annual delivery plan for {label} has been recorded for {scope.board.name}."
    else:
        message = (f"{plan.summary} " if plan.summary else "") + f"{len(rows)} priorities, as they stand now."
    changes = list(
        RemedialPlan.objects.filter(
            indicator__in=Indicator.boards.through.objects.filter(board=scope.board).values("indicator_id"),
            status__in=AGREED_PLANS,
            cmt_signed_off_at__date__lte=end,
        )
        .exclude(delivery_plan_changes="")
        .select_related("indicator", "clinic")
        .order_by("indicator__reference", "cmt_signed_off_at")
    )
    change_rows = [
        [
            f"{p.indicator.reference} {p.indicator.title}",
            f"Agreed at the clinic of {_date(p.clinic.date)}: {p.get_status_display()}",
            _date(p.cmt_signed_off_at.date()),
            p.delivery_plan_changes,
        ]
        for p in changes
    ]
    return [
        (
            "",
            f"Annual delivery plan {label}",
            {
                "columns": DELIVERY_COLUMNS,
                "rows": rows,
                "message": message,
                "chart": _status_chart("Priorities by status", rows, 3),
            },
        ),
        (
            "-changes",
            "Changes to the annual delivery plan agreed by remedial plans",
            {
                "columns": DELIVERY_CHANGE_COLUMNS,
                "rows": change_rows,
                "message": f"{len(change_rows)} changes agreed by the remedial plans for the board's indicators."
                if change_rows
                else "No remedial plan for the board's indicators has changed the delivery plan.",
                "chart": None,
                "needs_narrative": False,
            },
        ),
    ]


# --- Year end: plausibility -----------------------------------------------------------------

PLAUSIBILITY_COLUMNS = [
    "Reference",
    "Action",
    "Status",
    "Outcome indicators: movement over the year",
    "Special cause since the action started",
    "Judgement",
    "Reasoning",
]
NOT_JUDGED = "Not yet judged"
SPECIAL = {"special_improving", "special_concerning", "special_cause"}


def plausibility(scope) -> dict:
    """Each strategic action beside its status and its outcome indicators' movement over the
    year: the direction of travel of the latest result in the year, and any special-cause
    signal in a period that began on or after the action's start. The judgement (plausible, not
    plausible, insufficient evidence) and its reasoning are written by the hub as the slot
    `plausibility:<reference>`'s narrative; the snapshot fills the last two columns from it."""
    from indicators.analytics import constants as c

    actions = list(
        Action.objects.filter(id__in=[a.id for a in strategic_action_list(scope)])
        .select_related("plan__service")
        .prefetch_related(Prefetch("outcome_indicators", queryset=Indicator.objects.only("id", "reference")))
        .order_by("plan__service__name", "order", "reference")
    )
    indicator_ids = {i.id for a in actions for i in a.outcome_indicators.all()}
    assessments = list(
        Assessment.objects.filter(
            indicator_id__in=indicator_ids,
            period__start__gte=scope.period.start,
            period__end__lte=scope.period.end,
        )
        .select_related("period")
        .only("indicator_id", "direction", "variation", "period__start", "period__end", "period__label")
        .order_by("indicator_id", "period__end", "-period__start")
    )
    latest, signals = {}, {}
    for a in assessments:
        latest[a.indicator_id] = a  # the last ending (the longest period when two end together)
        if a.variation in SPECIAL:
            signals.setdefault(a.indicator_id, []).append(a)
    rows, judgements = [], []
    for action in actions:
        indicators = sorted(action.outcome_indicators.all(), key=lambda i: i.reference)
        movement, special = [], []
        for indicator in indicators:
            last = latest.get(indicator.id)
            movement.append(
                f"{indicator.reference}: {c.DIRECTION_LABELS.get(last.direction, '—').lower()} ({last.period.label})"
                if last
                else f"{indicator.reference}: no result in the year"
            )
            since = [s for s in signals.get(indicator.id, []) if s.period.start >= action.start_date]
            if since:
                special.append(
                    f"{indicator.reference}: {c.VARIATION_LABELS[since[-1].variation].lower()} ({since[-1].period.label})"
                )
        rows.append(
            [
                action.reference,
                action.title,
                f"{ACTION_STATUS[action.status]}, {action.percent_complete} %",
                "; ".join(movement) or "No outcome indicators",
                "; ".join(special) or ("None" if indicators else "—"),
                NOT_JUDGED,
                "—",
            ]
        )
        judgements.append({"reference": action.reference, "title": action.title})
    return {
        "columns": PLAUSIBILITY_COLUMNS,
        "rows": rows,
        "judgements": judgements,
        "message": f"Is it reasonable to assume each of the {len(rows)} strategic actions affected its outcome"
        f" indicators in {scope.period.label}?"
        if rows
        else "No signed-off plan covering this year has strategic actions to judge.",
        "chart": None,
    }
