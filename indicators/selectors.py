"""Read paths for indicator pages, each a fixed number of SQL queries whatever the data size."""

import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    F,
    FilteredRelation,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404

from indicators.access import scope_filter, sees_drafts, visible_indicators
from indicators.analytics import constants as c
from indicators.charts import chart_data
from indicators.formatting import format_value
from indicators.models import Assessment, Indicator, Result, ResultChange, Target, TargetChange
from indicators.models.library import HISTORY_BASELINE_REASON, JUDGING_FIELDS


class AmongIds(Lookup):
    """`AmongIds(F("id"), ids)`: the column is one of these ids, sent as one parameter.

    `id__in=ids` sends one parameter per id: at a scorecard's 1,000 rows Django resolves and
    prepares each and psycopg splices each into the SQL text, which cost more than the read.
    PostgreSQL takes the list as an array (the plan `id__in` gets, `= ANY(...)`); SQLite as a JSON
    array it reads with `json_each`. Use it only with a non-empty list of ints.
    """

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = [int(i) for i in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*params, ids]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(ids)]  # noqa: S608 - lhs is a column


RAG_ORDER = [c.RED, c.AMBER, c.MISSING, c.GREEN, c.NO_RAG]
DIRECTION_ORDER = [c.BAD, c.SAME, c.GOOD, c.NOT_COMPARABLE]


def _rank(field_name: str, order: list[str]) -> Case:
    return Case(
        *[When(**{field_name: value}, then=Value(i)) for i, value in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def with_latest_assessment(queryset: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Annotate each indicator with its latest stored assessment, in the same query."""
    return queryset.annotate(
        latest=FilteredRelation("assessments", condition=Q(assessments__is_latest=True)),
        latest_rag=F("latest__rag"),
        latest_direction=F("latest__direction"),
        latest_value=F("latest__value"),
        latest_period_label=F("latest__period__label"),
        latest_rag_order=_rank("latest__rag", RAG_ORDER),
        latest_direction_order=_rank("latest__direction", DIRECTION_ORDER),
    )


def library_queryset(user) -> QuerySet[Indicator]:
    return with_latest_assessment(visible_indicators(user).select_related("service__directorate")).order_by(
        "reference"
    )


def status_counts(queryset: QuerySet[Indicator]) -> dict[str, list[tuple[str, str, int]]]:
    """Counts of latest RAG and direction over a queryset annotated by `with_latest_assessment`."""
    rows = list(queryset.values_list("latest_rag", "latest_direction"))
    rags = Counter(rag or "" for rag, _ in rows)
    directions = Counter(direction or "" for _, direction in rows)
    return {
        "total": len(rows),
        "rag": [(key, c.RAG_LABELS[key], rags[key]) for key in RAG_ORDER],
        "direction": [(key, c.DIRECTION_LABELS[key], directions[key]) for key in DIRECTION_ORDER],
        "not_assessed": rags[""],
    }


@dataclass
class ResultRow:
    period_id: int
    period_label: str
    period_kind: str
    end: object
    value: Decimal
    status: str
    status_label: str
    commentary: str
    is_provisional: bool
    is_proxy: bool
    target: Decimal | None = None
    rag: str = ""
    direction: str = ""
    comparator_label: str = ""
    comparator_value: Decimal | None = None


@dataclass
class IndicatorPage:
    indicator: Indicator
    rows: list[ResultRow]
    latest: ResultRow | None
    chart: dict = field(default_factory=dict)
    shows_drafts: bool = False


def indicator_page(user, reference: str) -> IndicatorPage:
    """Everything the indicator page shows, in seven queries. Unknown or out-of-scope → 404."""
    indicator = (
        visible_indicators(user)
        .select_related("service__directorate", "responsible_officer", "portfolio")
        .prefetch_related("themes", "boards")
        .filter(reference=reference)
        .first()
    )
    if indicator is None:
        # Signed-in users are told plainly that their role does not reach it (403); anonymous
        # visitors get a 404 so unpublished references do not leak.
        if user.is_authenticated and Indicator.objects.filter(reference=reference).exists():
            raise PermissionDenied("This indicator is outside your role's scope.")
        raise Http404("No such indicator.")
    drafts = sees_drafts(user, indicator)
    # By period end, a year after its last month and quarter (issue 10 item 8): "Mar 2013, Q4 2012/13, 2012/13".
    results = (
        Result.objects.filter(indicator=indicator)
        .select_related("period")
        .order_by("period__end", "period__kind", "period__start")
    )
    if not drafts:
        results = results.filter(status=Result.Status.APPROVED)
    assessments = {
        a.period_id: a
        for a in Assessment.objects.filter(indicator=indicator).select_related("comparator_period")
    }
    targets = {t.period_id: t.value for t in Target.objects.filter(indicator=indicator)}
    rows = []
    for result in results:
        assessment = assessments.get(result.period_id)
        rows.append(
            ResultRow(
                period_id=result.period_id,
                period_label=result.period.label,
                period_kind=result.period.kind,
                end=result.period.end,
                value=result.value,
                status=result.status,
                status_label=result.get_status_display(),
                commentary=result.commentary,
                is_provisional=result.is_provisional,
                is_proxy=result.is_proxy,
                target=assessment.target if assessment else targets.get(result.period_id),
                rag=assessment.rag if assessment else "",
                direction=assessment.direction if assessment else "",
                comparator_label=assessment.comparator_period.label
                if assessment and assessment.comparator_period
                else "",
                comparator_value=assessment.comparator_value if assessment else None,
            )
        )
    latest_period = next((a.period_id for a in assessments.values() if a.is_latest), None)
    latest = next((r for r in rows if r.period_id == latest_period), None)
    return IndicatorPage(
        indicator=indicator, rows=rows, latest=latest, chart=chart_data(indicator, rows), shows_drafts=drafts
    )


def my_indicators(user) -> QuerySet[Indicator]:
    """The indicators a signed-in user works with: those they enter or answer for, else their scope."""
    visible = library_queryset(user)
    own = visible.filter(Q(data_entry_officers=user) | Q(responsible_officer=user))
    return own.distinct() if own.exists() else visible


@dataclass
class HistoryEntry:
    """One line of history: a result or target change, who made it, when, old → new, why."""

    kind: str  # "result", "target" or "setting" (a change to the fields that judge a result)
    id: int
    result_id: int | None
    reference: str
    period_label: str
    action: str
    old_value: Decimal | None
    new_value: Decimal | None
    old_status: str
    new_status: str
    reason: str
    version: int | None
    changed_by: str
    changed_at: object
    decimal_places: int = 0
    details: list["FieldChange"] = field(default_factory=list)
    unit: str = ""

    @property
    def action_label(self) -> str:
        return (
            HISTORY_ACTION_LABELS.get(self.action)
            or SETTING_ACTION_LABELS.get(self.action)
            or self.action.replace("_", " ").capitalize()
        )

    @property
    def old_display(self) -> str:
        return format_value(self.old_value, self.decimal_places, self.unit)

    @property
    def new_display(self) -> str:
        return format_value(self.new_value, self.decimal_places, self.unit)

    @property
    def details_text(self) -> str:
        """The other fields changed, for the exported trail: "Polarity: Up is Good → Up is Bad"."""
        return "; ".join(f"{d.label}: {d.old} → {d.new}" for d in self.details)


@dataclass
class FieldChange:
    """One field other than the value that a history row changed: label, old and new as text."""

    name: str
    label: str
    old: str
    new: str

    @property
    def summary(self) -> str:
        return f"{self.label} changed"


DETAIL_FIELDS = (
    ("commentary", "Commentary"),
    ("numerator", "Numerator"),
    ("denominator", "Denominator"),
    ("is_provisional", "Provisional flag"),
    ("is_proxy", "Proxy data flag"),
)


def _detail_text(name: str, raw) -> str:
    if name in ("is_provisional", "is_proxy"):
        return "Yes" if raw else "No"
    if raw is None or raw == "":
        return "—"
    return str(raw)


def change_details(before: dict | None, after: dict | None) -> list[FieldChange]:
    """What a history row changed besides the value (which has its own columns), from the stored
    snapshots. A new result (empty `before`) lists only the fields it set."""
    before, after = before or {}, after or {}
    details = []
    for name, label in DETAIL_FIELDS:
        old, new = before.get(name), after.get(name)
        if not before and new in (None, "", False):
            continue
        if name in ("numerator", "denominator"):
            old_number = None if old in (None, "") else Decimal(str(old))
            new_number = None if new in (None, "") else Decimal(str(new))
            if old_number == new_number:
                continue
        elif name in ("is_provisional", "is_proxy"):
            if bool(old) == bool(new):
                continue
        elif (old or "") == (new or ""):
            continue
        details.append(FieldChange(name, label, _detail_text(name, old), _detail_text(name, new)))
    return details


HISTORY_ACTION_LABELS = {
    "create": "Entered as draft",
    "edit": "Edited",
    "submit": "Submitted",
    "approve": "Approved",
    "return": "Returned for changes",
    "restore": "Restored an earlier version",
    "import": "Imported",
    "edit_after_approval": "Changed after approval",
    "target": "Target set",
    "setting": "Indicator settings changed",
}
SETTING_ACTIONS = {"+": "setting_added", "~": "setting", "-": "setting_deleted"}
SETTING_ACTION_LABELS = {"setting_added": "Indicator added", "setting_deleted": "Indicator deleted"}
SETTINGS_PERIOD_LABEL = "All periods"


def _who(first, last, username) -> str:
    name = f"{first or ''} {last or ''}".strip()
    return name or username or "unknown"


def result_history(
    user,
    *,
    reference: str | None = None,
    indicator=None,
    limit: int = 200,
    changed_by: str | None = None,
    date_from=None,
    date_to=None,
    kind: str | None = None,
) -> list[HistoryEntry]:
    """Result and target changes, newest first: two queries whatever the number of rows.

    Scoped through `visible_indicators`; results' history is shown only to users who see drafts
    of that indicator (owners, managers, hub, audit) — callers check that.
    """
    changes = ResultChange.objects.filter(indicator__in=visible_indicators(user))
    targets = TargetChange.objects.filter(indicator__in=visible_indicators(user))
    settings_rows = setting_changes(user, indicator=indicator, reference=reference)
    if indicator is not None:
        changes, targets = changes.filter(indicator=indicator), targets.filter(indicator=indicator)
    elif reference:
        changes, targets = (
            changes.filter(indicator__reference__iexact=reference),
            targets.filter(indicator__reference__iexact=reference),
        )
    # The audit trail's filters: who (username or name), when (dates inclusive, local time) and
    # what kind of change (a result action such as "approve", or "target").
    if changed_by:
        who = (
            Q(changed_by__username__iexact=changed_by)
            | Q(changed_by__first_name__icontains=changed_by)
            | Q(changed_by__last_name__icontains=changed_by)
        )
        changes, targets = changes.filter(who), targets.filter(who)
        settings_rows = settings_rows.filter(
            Q(history_user__username__iexact=changed_by)
            | Q(history_user__first_name__icontains=changed_by)
            | Q(history_user__last_name__icontains=changed_by)
        )
    if date_from:
        changes, targets = (
            changes.filter(changed_at__date__gte=date_from),
            targets.filter(changed_at__date__gte=date_from),
        )
        settings_rows = settings_rows.filter(history_date__date__gte=date_from)
    if date_to:
        changes, targets = (
            changes.filter(changed_at__date__lte=date_to),
            targets.filter(changed_at__date__lte=date_to),
        )
        settings_rows = settings_rows.filter(history_date__date__lte=date_to)
    if kind == "target":
        changes, settings_rows = changes.none(), settings_rows.none()
    elif kind == "setting":
        changes, targets = changes.none(), targets.none()
    elif kind:
        changes, targets, settings_rows = changes.filter(action=kind), targets.none(), settings_rows.none()
    names = ("changed_by__first_name", "changed_by__last_name", "changed_by__username")
    entries = [
        HistoryEntry(
            "result",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            _who(*row[11:14]),
            row[14],
            row[15],
            change_details(row[16], row[17]),
            unit=row[18],
        )
        for row in changes.order_by("-changed_at", "-id").values_list(
            "id",
            "result_id",
            "indicator__reference",
            "period__label",
            "action",
            "old_value",
            "new_value",
            "old_status",
            "new_status",
            "reason",
            "version",
            *names,
            "changed_at",
            "indicator__decimal_places",
            "before",
            "after",
            "indicator__unit",
        )[:limit]
    ]
    entries += [
        HistoryEntry(
            "target",
            row[0],
            None,
            row[1],
            row[2],
            "target",
            row[3],
            row[4],
            "",
            "",
            row[5],
            None,
            _who(*row[6:9]),
            row[9],
            row[10],
            unit=row[11],
        )
        for row in targets.order_by("-changed_at", "-id").values_list(
            "id",
            "indicator__reference",
            "period__label",
            "old_value",
            "new_value",
            "reason",
            *names,
            "changed_at",
            "indicator__decimal_places",
            "indicator__unit",
        )[:limit]
    ]
    entries += setting_entries(settings_rows, limit)
    entries.sort(key=lambda e: (e.changed_at, e.id), reverse=True)
    return entries[:limit]


def setting_changes(user, *, indicator=None, reference: str | None = None) -> QuerySet:
    """Rows of the indicators' history of judging fields (django-simple-history) the user may see,
    without the baseline rows kept only so that a first change reads old → new."""
    rows = Indicator.history.model.objects.exclude(history_change_reason=HISTORY_BASELINE_REASON)
    if scope_filter(user) is not None:
        # Readers of everything also see indicators since deleted (their last row says so).
        rows = rows.filter(id__in=visible_indicators(user).values("id"))
    if indicator is not None:
        rows = rows.filter(id=indicator.id)
    elif reference:
        rows = rows.filter(id__in=Indicator.objects.filter(reference__iexact=reference).values("id"))
    return rows


def setting_entries(rows: QuerySet, limit: int) -> list[HistoryEntry]:
    """The newest `limit` setting changes with what each changed, old → new: two queries (the rows,
    each with the id of the row before it; then those earlier rows)."""
    model = Indicator.history.model
    earlier = model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    page = list(
        rows.select_related("history_user")
        .annotate(
            previous_id=Subquery(earlier.order_by("-history_date", "-history_id").values("history_id")[:1])
        )
        .order_by("-history_date", "-history_id")[:limit]
    )
    previous = model.objects.in_bulk([r.previous_id for r in page if r.previous_id])
    entries = []
    for row in page:
        user = row.history_user
        entries.append(
            HistoryEntry(
                "setting",
                row.history_id,
                None,
                row.reference,
                SETTINGS_PERIOD_LABEL,
                SETTING_ACTIONS[row.history_type],
                None,
                None,
                "",
                "",
                row.history_change_reason or "",
                None,
                _who(user.first_name, user.last_name, user.username) if user else "the command line",
                row.history_date,
                row.decimal_places,
                setting_details(previous.get(row.previous_id), row),
                row.unit,
            )
        )
    return entries


def _setting_text(row, name: str) -> str:
    value = getattr(row, name)
    if name == "ytd_accumulates" and value is None:
        return "By the unit"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        if name in ("plausible_min", "plausible_max"):
            return format_value(value, row.decimal_places, row.unit)
        return format(value.normalize(), "f")
    display = getattr(row, f"get_{name}_display", None)
    return str(display()) if display else str(value)


def setting_details(before, after) -> list[FieldChange]:
    """The judging fields a history row changed, old → new in words; a new indicator lists them all."""
    details = []
    for name in JUDGING_FIELDS:
        new = _setting_text(after, name)
        old = _setting_text(before, name) if before is not None else "—"
        if before is not None and old == new:
            continue
        label = str(Indicator._meta.get_field(name).verbose_name)
        details.append(FieldChange(name, label[:1].upper() + label[1:], old, new))
    return details


@dataclass
class BenchmarkRow:
    name: str
    value: Decimal
    is_own: bool
    rank: int


@dataclass
class Benchmark:
    period_label: str
    rank: int | None
    n: int
    quartile: int | None
    rows: list[BenchmarkRow]
    chart: dict


@dataclass
class IndicatorInsights:
    """Variation, forecast, annotations and benchmarking for the indicator page (three queries)."""

    latest: Assessment | None
    annotations: list
    benchmark: Benchmark | None
    traces: list = field(default_factory=list)
    shapes: list = field(default_factory=list)
    layout: dict = field(default_factory=dict)  # axis changes, e.g. a second panel for increments


def indicator_insights(indicator: Indicator) -> IndicatorInsights:
    """Stored variation and forecast, chart annotations and the latest benchmark of one indicator.

    Benchmark decision: the latest period with comparator values; the council's own value is the
    own-council comparator organisation's value where imported, else its own approved result.
    Every comparator organisation with a value for that period is ranked (the demo has one group).
    """
    from indicators.charts import variation_traces
    from indicators.models import Annotation, ComparatorValue

    assessments = list(
        Assessment.objects.filter(indicator=indicator).select_related("period").order_by("period__start")
    )
    annotations = list(Annotation.objects.filter(indicator=indicator).order_by("date"))
    values = list(
        ComparatorValue.objects.filter(indicator=indicator)
        .select_related("period", "organisation")
        .order_by("-period__start", "organisation__name")
    )
    latest = next((a for a in assessments if a.is_latest), None)
    traces, shapes, layout = variation_traces(indicator, assessments, annotations)
    return IndicatorInsights(
        latest=latest,
        annotations=annotations,
        benchmark=_benchmark(indicator, values, assessments),
        traces=traces,
        shapes=shapes,
        layout=layout,
    )


def _benchmark(indicator: Indicator, values: list, assessments: list) -> Benchmark | None:
    from indicators.analytics.benchmark import rank_and_quartile

    if not values:
        return None
    period = values[0].period
    in_period = [v for v in values if v.period_id == period.id]
    own = next((v.value for v in in_period if v.organisation.is_own_council), None)
    if own is None:
        own = next((a.value for a in assessments if a.period_id == period.id), None)
    others = [v for v in in_period if not v.organisation.is_own_council]
    rank, n, quartile = rank_and_quartile(own, [v.value for v in others], indicator.polarity)
    entries = [(v.organisation.name, v.value, False) for v in others]
    if own is not None:
        entries.append((f"{settings.KPI_COUNCIL_NAME} (us)", own, True))
    best_high = indicator.polarity != c.UP_IS_BAD
    entries.sort(key=lambda e: e[1], reverse=best_high)
    rows = []
    for name, value, is_own in entries:
        better = sum(1 for _, v, _ in entries if (v > value if best_high else v < value))
        rows.append(BenchmarkRow(name=name, value=value, is_own=is_own, rank=better + 1))
    chart = {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": period.label,
                "y": [r.name for r in rows],
                "x": [float(r.value) for r in rows],
                "text": [
                    ("Us: " if r.is_own else "")
                    + format_value(r.value, indicator.decimal_places, indicator.unit)
                    for r in rows
                ],
                "textposition": "outside",
                "marker": {
                    "color": ["#1d70b8" if r.is_own else "#b1b4b6" for r in rows],
                    "pattern": {"shape": ["/" if r.is_own else "" for r in rows]},
                    "line": {"color": "#0b0c0c", "width": 1},
                },
                "hovertemplate": "%{y}: %{text}<extra></extra>",
            }
        ],
        "layout": {
            "margin": {"l": 220, "r": 40, "t": 10, "b": 40},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "height": 40 + 24 * len(rows),
            "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"},
        },
    }
    return Benchmark(period_label=period.label, rank=rank, n=n, quartile=quartile, rows=rows, chart=chart)
