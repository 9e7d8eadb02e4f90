"""Section builders: one function per section kind, each returning plain data (JSON-ready).

A section is a dict: `key` (unique in the report), `kind`, `title`, `available` (False when its
data source does not exist yet), `message` (said instead of, or above, the table), `columns` and
`rows` (lists of strings, every figure as the report prints it), optional `chart` ({"title",
"bars": [{"label", "count"}]}, always printed with its data table) and, for exceptions,
`exceptions` ([{"reference", "title", "reasons"}], each of which needs its own narrative).
The data is frozen into the snapshot at publication, so nothing here may be a model instance.

Indicator sections read the *current* assessments as at the report's period (a new draft of a
period shows today's figures; the published report is the freeze). Sections from the Service
Improvement Plans and clinics (actions, risks, clinics, remedial plans) are built in
`reporting.reports.plan_sections` (reporting sits above both apps); `PROVIDERS` maps each kind to
its builder (a builder of "" says plainly its section has no data source).
A section may list `exempt_rows` (row indices, e.g. an exempt risk): internal version only.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from indicators.analytics import constants as c
from indicators.models import Indicator, Period
from organisation.models import Board, Directorate, Theme
from reporting.models import ExceptionEntry, ExceptionList, ExceptionReason
from reporting.reports import kinds
from reporting.scorecards import build_rows

INDICATOR_COLUMNS = [
    "Reference",
    "Indicator",
    "Period",
    "Result",
    "Target",
    "RAG",
    "Direction of travel",
    "Variation",
    "Year-end forecast",
    "Forecast RAG",
    "Responsible officer",
]
EXCEPTION_COLUMNS = ["Reference", "Indicator", "Directorate", "Period", "Result", "Target", "RAG", "Reasons"]
RAG_WORDS = [c.RAG_LABELS[k] for k in (c.RED, c.AMBER, c.GREEN, c.NO_RAG, c.MISSING)] + ["Not assessed"]

TITLES = {
    kinds.STRATEGIC_ACTIONS: "Strategic actions completed and progress",
    kinds.FINANCE_WORKFORCE: "Resource implications and current position: finance and workforce",
    kinds.RISKS: "Risks and how they are being managed",
    kinds.EXCEPTIONS: "Exceptions and their reasons",
    kinds.CLINICS: "Performance clinics held",
    kinds.STATUTORY: "Statutory and single data list indicators",
    kinds.SERVICE_PLAN_ACTIONS: "Service plan actions",
    kinds.DIRECTORATE_SCORECARD: "Directorate scorecard",
    kinds.RISKS_ABOVE_TARGET: "Risks above their target rating",
    kinds.BOARD_INDICATORS: "The board's indicators",
    kinds.REMEDIAL_PLANS: "Remedial plans",
    kinds.DELIVERY_PLANS: "Annual delivery plans",
    kinds.PLAUSIBILITY: "Plausibility: did the strategic actions affect their outcome indicators?",
    kinds.SCOPE_INDICATORS: "The indicators: latest results",
}


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: its kind and period, and its directorate or board where it has one."""

    kind: str
    period: Period
    as_of: datetime.date
    directorate: Directorate | None = None
    board: Board | None = None
    indicator_ids: tuple[int, ...] = ()  # an ad hoc exception report for a set of indicators


def board_indicator_ids(board: Board) -> QuerySet:
    return Indicator.boards.through.objects.filter(board=board).values("indicator_id")


def scope_indicator_ids(scope: ReportScope):
    """The indicators a board's or an exception report covers: its board's, or the set asked for."""
    return board_indicator_ids(scope.board) if scope.board is not None else list(scope.indicator_ids)


# --- Indicator sections -------------------------------------------------------------------


def _indicator_table(indicators: QuerySet[Indicator], scope: ReportScope) -> tuple[list, dict]:
    rows, _ = build_rows(indicators, scope.period, scope.as_of)
    table = []
    for row in rows:
        forecast = row.forecast_display if row.forecast_value is not None else "—"
        if row.forecast_value is not None and row.forecast_method_label:
            forecast = f"{forecast} ({row.forecast_method_label.lower()})"
        table.append(
            [
                row.reference,
                row.title,
                row.period_label or "—",
                row.value_display,
                row.target_display,
                row.rag_label,
                row.direction_label,
                row.variation_label or "—",
                forecast,
                c.RAG_LABELS.get(row.forecast_rag, "—") if row.forecast_rag else "—",
                row.responsible_officer or "—",
            ]
        )
    counts = Counter(r[5] for r in table)
    chart = {
        "title": "Indicators by RAG",
        "bars": [{"label": w, "count": counts[w]} for w in RAG_WORDS if counts[w]],
    }
    return table, chart


def _indicator_section(key: str, kind: str, title: str, indicators: QuerySet, scope: ReportScope, empty: str):
    rows, chart = _indicator_table(indicators.filter(is_active=True), scope)
    return {
        "key": key,
        "kind": kind,
        "title": title,
        "available": True,
        "message": "" if rows else empty,
        "columns": INDICATOR_COLUMNS,
        "rows": rows,
        "chart": chart if rows else None,
    }


def theme_indicators(scope: ReportScope) -> list[dict]:
    """One section per Council Plan theme: its outcome indicators as at the period."""
    sections = []
    for theme in Theme.objects.order_by("order", "name"):
        indicators = Indicator.objects.filter(
            id__in=Indicator.themes.through.objects.filter(theme=theme).values("indicator_id")
        )
        sections.append(
            _indicator_section(
                f"theme-{theme.slug}",
                kinds.THEME_INDICATORS,
                f"{theme.name}: progress against the outcome indicators",
                indicators,
                scope,
                "No indicators serve this theme.",
            )
        )
    return sections


def finance_workforce(scope: ReportScope) -> list[dict]:
    indicators = Indicator.objects.filter(
        category__in=[Indicator.Category.FINANCE, Indicator.Category.WORKFORCE], on_scorecard=True
    )
    return [
        _indicator_section(
            "finance-workforce",
            kinds.FINANCE_WORKFORCE,
            TITLES[kinds.FINANCE_WORKFORCE],
            indicators,
            scope,
            "No finance or workforce indicators are on the scorecards.",
        )
    ]


def statutory(scope: ReportScope) -> list[dict]:
    return [
        _indicator_section(
            "statutory",
            kinds.STATUTORY,
            TITLES[kinds.STATUTORY],
            Indicator.objects.filter(statutory=True),
            scope,
            "No indicators are marked statutory / single data list.",
        )
    ]


def directorate_scorecard(scope: ReportScope) -> list[dict]:
    indicators = Indicator.objects.filter(service__directorate=scope.directorate, on_scorecard=True)
    return [
        _indicator_section(
            "directorate-scorecard",
            kinds.DIRECTORATE_SCORECARD,
            f"{scope.directorate.name}: {TITLES[kinds.DIRECTORATE_SCORECARD].lower()}",
            indicators,
            scope,
            "No indicators of this directorate are included on its scorecard.",
        )
    ]


def scope_indicators(scope: ReportScope) -> list[dict]:
    """An exception report's indicators, each with its latest result (the context of the
    exceptions above it: no narrative of its own)."""
    section = _indicator_section(
        "scope-indicators",
        kinds.SCOPE_INDICATORS,
        TITLES[kinds.SCOPE_INDICATORS],
        Indicator.objects.filter(id__in=scope_indicator_ids(scope)),
        scope,
        "The report covers no active indicators.",
    )
    return [{**section, "needs_narrative": False}]


def board_indicators(scope: ReportScope) -> list[dict]:
    indicators = Indicator.objects.filter(id__in=board_indicator_ids(scope.board))
    return [
        _indicator_section(
            "board-indicators",
            kinds.BOARD_INDICATORS,
            f"{scope.board.name}: its indicators",
            indicators,
            scope,
            "The board monitors no indicators.",
        )
    ]


def _scope_filter(scope: ReportScope) -> Q:
    if scope.directorate is not None:
        return Q(indicator__service__directorate=scope.directorate)
    if scope.board is not None or scope.indicator_ids:
        return Q(indicator__in=scope_indicator_ids(scope))
    return Q()


def exceptions(scope: ReportScope) -> list[dict]:
    """The exception lists ending with the report's period (a quarter's list and its last
    month's, so monthly indicators are covered), as the hub reviewed them, each indicator once with
    every reason it has on either list."""
    section = {
        "key": "exceptions",
        "kind": kinds.EXCEPTIONS,
        "title": TITLES[kinds.EXCEPTIONS],
        "available": True,
        "message": "",
        "columns": EXCEPTION_COLUMNS,
        "rows": [],
        "exceptions": [],
        "chart": None,
    }
    lists = list(
        ExceptionList.objects.filter(period__end=scope.period.end, period__kind__in=[c.MONTH, c.QUARTER])
        .order_by("period__start")
        .values_list("period_id", "period__label")
    )
    if not lists:
        section["message"] = (
            f"No exception list ending with {scope.period.label} has been built yet: lists are built once"
            " a period's returns fall due."
        )
        return [section]
    labels = " and ".join(label for _, label in lists)
    reasons_of: dict[int, list[str]] = {}
    for indicator_id, reasons in (
        ExceptionEntry.objects.filter(
            _scope_filter(scope), period_id__in=[p for p, _ in lists], indicator__is_active=True
        )
        .exclude(reasons=[])
        .order_by("indicator_id", "period__start")
        .values_list("indicator_id", "reasons")
    ):
        known = reasons_of.setdefault(indicator_id, [])
        known.extend(r for r in reasons if r not in known)
    rows, _ = build_rows(Indicator.objects.filter(id__in=reasons_of), scope.period, scope.as_of)
    counts = Counter()
    for row in rows:
        reasons = [
            ExceptionReason(r).label for r in ExceptionReason.values if r in reasons_of[row.indicator.id]
        ]
        counts.update(reasons)
        section["rows"].append(
            [
                row.reference,
                row.title,
                row.directorate_code,
                row.period_label or "—",
                row.value_display,
                row.target_display,
                row.rag_label,
                "; ".join(reasons),
            ]
        )
        section["exceptions"].append({"reference": row.reference, "title": row.title, "reasons": reasons})
    section["message"] = (
        f"From the exception list{'s' if len(lists) > 1 else ''} for {labels}."
        if rows
        else f"No indicator is on the exception list for {labels}."
    )
    if rows:
        section["chart"] = {
            "title": "Exceptions by reason",
            "bars": [
                {"label": r.label, "count": counts[r.label]} for r in ExceptionReason if counts[r.label]
            ],
        }
    return [section]


# --- Sections from the Service Improvement Plans and clinics ---------------------------------

# kind → (section key, builder in `reporting.reports.plan_sections`, or "" for no data source yet).
# Imported when a report is built, not at start: the plans' modules pull in heavy libraries.
PROVIDERS: dict[str, tuple[str, str]] = {
    kinds.STRATEGIC_ACTIONS: ("strategic-actions", "strategic_actions"),
    kinds.RISKS: ("risks", "escalated_risks"),
    kinds.SERVICE_PLAN_ACTIONS: ("service-plan-actions", "service_plan_actions"),
    kinds.RISKS_ABOVE_TARGET: ("risks-above-target", "risks_above_target"),
    kinds.REMEDIAL_PLANS: ("remedial-plans", "board_remedial_plans"),
    kinds.DELIVERY_PLANS: ("delivery-plans", "delivery_plan"),
    kinds.PLAUSIBILITY: ("plausibility", "plausibility"),
}


def _plan_sections():
    from reporting.reports import plan_sections

    return plan_sections


def _provided(key: str, kind: str, title: str, supplied: dict | None) -> dict:
    if supplied is None:
        return {
            "key": key,
            "kind": kind,
            "title": title,
            "available": False,
            "message": "No data source yet: the portal does not record this section's data.",
            "columns": [],
            "rows": [],
            "chart": None,
        }
    section = {
        "key": key,
        "kind": kind,
        "title": title,
        "available": True,
        "message": supplied.get("message", ""),
        "columns": list(supplied.get("columns", [])),
        "rows": [[str(cell) for cell in row] for row in supplied.get("rows", [])],
        "chart": supplied.get("chart"),
    }
    if "judgements" in supplied:
        section["judgements"] = list(supplied["judgements"])
    if supplied.get("needs_narrative") is False:
        section["needs_narrative"] = False
    if supplied.get("exempt_rows"):
        section["exempt_rows"] = list(supplied["exempt_rows"])
    return section


def provided_section(kind: str, scope: ReportScope) -> list[dict]:
    """A section built from the plans or clinics, or a plain "no data source yet". A builder may
    return a list of (key suffix, title, data): several sections of the one kind."""
    key, builder = PROVIDERS[kind]
    supplied = getattr(_plan_sections(), builder)(scope) if builder else None
    if isinstance(supplied, list):
        return [
            _provided(f"{key}{suffix}", kind, title or TITLES[kind], data) for suffix, title, data in supplied
        ]
    return [_provided(key, kind, TITLES[kind], supplied)]


def clinics_and_remedial_plans(scope: ReportScope) -> list[dict]:
    """Two sections: the clinics held (and waiting), and the remedial plans with their trajectories."""
    plan_sections = _plan_sections()
    return [
        _provided("clinics", kinds.CLINICS, TITLES[kinds.CLINICS], plan_sections.clinics_held(scope)),
        _provided(
            "clinic-remedial-plans",
            kinds.REMEDIAL_PLANS,
            "Remedial plans and their trajectories",
            plan_sections.remedial_plans(scope),
        ),
    ]


BUILDERS: dict[str, Callable[[ReportScope], list[dict]]] = {
    kinds.THEME_INDICATORS: theme_indicators,
    kinds.FINANCE_WORKFORCE: finance_workforce,
    kinds.STATUTORY: statutory,
    kinds.DIRECTORATE_SCORECARD: directorate_scorecard,
    kinds.BOARD_INDICATORS: board_indicators,
    kinds.SCOPE_INDICATORS: scope_indicators,
    kinds.EXCEPTIONS: exceptions,
    kinds.CLINICS: clinics_and_remedial_plans,
    **{kind: (lambda scope, kind=kind: provided_section(kind, scope)) for kind in PROVIDERS},
}


def build_sections(scope: ReportScope, progress: Callable[[int, int, str], None] | None = None) -> list[dict]:
    """Every section of the report, in order; `progress(done, total, title)` after each builder."""
    section_kinds = kinds.SECTIONS[scope.kind]
    sections = []
    for done, kind in enumerate(section_kinds, start=1):
        sections.extend(BUILDERS[kind](scope))
        if progress is not None:
            progress(done, len(section_kinds), TITLES.get(kind, "Council Plan themes"))
    return sections
