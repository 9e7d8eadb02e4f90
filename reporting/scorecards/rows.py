"""Scorecard rows: each indicator's assessment for the chosen period, its year columns and
sparkline, read in a fixed number of queries.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    F,
    FilteredRelation,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from indicators.analytics import constants as c
from indicators.analytics.memo import Memo
from indicators.analytics.series import FREQUENCY_KIND
from indicators.formatting import assurance_label, format_value
from indicators.models import Assessment, Indicator, Period
from indicators.periods import financial_year_of, year_label
from indicators.scorecard_figures import (
    SPARKLINE_POINTS,
    SPARKLINE_WIDTH,
    RowFigures,
    row_figures,
    short_period_label,
    window_start,
)
from indicators.selectors import AmongIds
from indicators.services.summary_writes import made_with_indicator
from reporting.models import ReportedAssessment

CATEGORY_ORDER = [  # Table 3.3 order
    Indicator.Category.PERFORMANCE,
    Indicator.Category.CUSTOMER,
    Indicator.Category.WORKFORCE,
    Indicator.Category.FINANCE,
]


CATEGORY_LABELS = dict(Indicator.Category.choices)


RAG_ORDER = [c.RED, c.AMBER, c.GREEN, c.NO_RAG, c.MISSING]


DIRECTION_ORDER = [c.BAD, c.SAME, c.GOOD, c.NOT_COMPARABLE]


VARIATION_ORDER = [c.SPECIAL_CONCERNING, c.SPECIAL_IMPROVING, c.SPECIAL_NEUTRAL, c.COMMON_CAUSE]


STATUTORY = "yes"  # the filter value for statutory / single data list indicators
NOT_ASSESSED = "not-assessed"  # filter value for rows with no assessment in the period


__all__ = ["SPARKLINE_POINTS", "short_period_label"]  # where they were before `scorecard_figures`


@dataclass(frozen=True, slots=True)
class RowIndicator:
    """What a row needs of its indicator, read as plain values (no model instance per row)."""

    id: int
    reference: str
    unit: str
    decimal_places: int
    frequency: str


@dataclass
class ScorecardRow:
    indicator: RowIndicator  # id, reference, unit, decimal places and frequency
    reference: str
    title: str
    category: str
    category_label: str
    polarity_label: str
    years: list[Decimal | None]
    years_display: list[str]
    # Per year column: "" for a year result, else the period of an in-year result ("Q3", "Dec").
    years_notes: list[str] = field(default_factory=lambda: ["", "", ""])
    value: Decimal | None = None
    value_display: str = "—"
    period_label: str = ""
    target: Decimal | None = None
    target_display: str = "—"
    rag: str = ""
    direction: str = ""
    variation: str = ""
    variation_label: str = ""
    assurance: str = ""
    assurance_label: str = ""
    forecast_value: Decimal | None = None
    forecast_display: str = "—"
    forecast_method_label: str = ""
    forecast_rag: str = ""
    sparkline: SafeString = field(default_factory=lambda: mark_safe(""))
    sparkline_text: str = ""
    responsible_officer: str = ""
    directorate_code: str = ""
    directorate_slug: str = ""
    included: bool = False
    statutory: bool = False  # a statutory / single data list return to central government
    reported_on: datetime.date | None = None  # set when the row shows an as-reported assessment
    not_reported: bool = False  # as-reported view, but this indicator had nothing reported then
    clinic_mark: object | None = None  # clinics.services.ClinicMark: a held clinic, a plan in progress

    @property
    def rag_label(self) -> str:
        return c.RAG_LABELS.get(self.rag, "Not assessed") if self.rag else "Not assessed"

    @property
    def direction_label(self) -> str:
        return c.DIRECTION_LABELS.get(self.direction, "") if self.direction else "Not assessed"


@dataclass
class Group:
    key: str
    label: str
    rows: list[ScorecardRow]


@dataclass
class Section:
    title: str
    groups: list[Group]

    @property
    def row_count(self) -> int:
        return sum(len(g.rows) for g in self.groups)


@dataclass
class Count:
    key: str
    label: str
    count: int


def _selected_assessment_id(period: Period | None, model=Assessment) -> Subquery:
    """Per indicator: its assessment for `period`, else its latest ending within it.

    `model` is `Assessment` (current) or `ReportedAssessment` (as reported): the same choice.
    """
    candidates = model.objects.filter(indicator=OuterRef("pk"))
    if period is not None:
        candidates = candidates.filter(period__end__lte=period.end)
    own_kind = Q()
    for frequency, kind in FREQUENCY_KIND.items():
        own_kind |= Q(period__kind=kind, indicator__frequency=frequency)
    candidates = candidates.annotate(
        exact=Case(
            When(period_id=period.id if period else None, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        own=Case(When(own_kind, then=Value(0)), default=Value(1), output_field=IntegerField()),
    ).order_by("exact", "-period__end", "own", "-period__start")
    return Subquery(candidates.values("id")[:1])


def _own_kind_ending_with(period: Period, model) -> Case:
    """Per indicator: its assessment for the period of its own kind that ends when `period` ends.

    After the exact period, that is the first candidate in `_selected_assessment_id`'s order
    (latest end, own kind first; only one period of a kind ends on a given day): a year scorecard
    of monthly indicators shows March, a quarterly one Q4. Found by the unique (indicator, period)
    index; the period's id is an uncorrelated subquery, evaluated once.
    """
    whens = []
    for frequency, kind in FREQUENCY_KIND.items():
        period_id = Subquery(Period.objects.filter(kind=kind, end=period.end).values("id")[:1])
        found = model.objects.filter(indicator=OuterRef("pk"), period_id=period_id).order_by()
        whens.append(When(frequency=frequency, then=Subquery(found.values("id")[:1])))
    return Case(*whens, default=Value(None), output_field=IntegerField())


def _with_selected(indicators: QuerySet, name: str, period: Period | None, relation: str, model) -> QuerySet:
    """Annotate `name`: `_selected_assessment_id`, with the common cases made cheap.

    Most indicators have an assessment for the selected period itself (a join finds it) or, on a
    scorecard of a longer period, for the period of their own kind that ends with it (an index
    look-up). The correlated fallback, which sorts each indicator's assessments, is evaluated only
    where both are missing: COALESCE evaluates its arguments lazily on PostgreSQL and SQLite.
    """
    fallback = _selected_assessment_id(period, model)
    if period is None:
        return indicators.annotate(**{name: fallback})
    alias = f"{name}_exact"
    exact = FilteredRelation(relation, condition=Q(**{f"{relation}__period_id": period.id}))
    selected = Coalesce(F(f"{alias}__id"), _own_kind_ending_with(period, model), fallback)
    return indicators.alias(**{alias: exact}).annotate(**{name: selected})


_INDICATOR_FIELDS = (
    "id",
    "reference",
    "title",
    "category",
    "polarity",
    "unit",
    "decimal_places",
    "frequency",
    "on_scorecard",
    "statutory",
    "service__directorate__code",
    "service__directorate__slug",
    "responsible_officer__first_name",
    "responsible_officer__last_name",
    "responsible_officer__username",
)


_ASSESSMENT_FIELDS = (
    "indicator_id",
    "value",
    "target",
    "rag",
    "direction",
    "variation",
    "assurance",
    "shift_since",
    "forecast_value",
    "forecast_method",
    "forecast_rag",
    "period__label",
)


def _summary_serves(indicator: dict, period: Period) -> bool:
    """Whether the indicator's stored summary gives exactly what the window query would.

    The summary is drawn from every assessment from `window_start` of its latest financial year
    (and of the year after) to its latest (`IndicatorSummary`). A scorecard of either year whose
    period ends on or after the latest assessment reads exactly those (nothing later to leave out,
    nothing earlier), so its figures are the same; as must be the reference, decimal places, unit and
    frequency they were drawn with. An indicator with no assessment has blank figures whatever the
    period. Any other period (an earlier year, a month before the latest result) is left to the
    window query.
    """
    if indicator["summary__made_with"] != made_with_indicator(indicator):
        return False  # no summary yet, or drawn before the indicator was changed
    latest_end = indicator["summary__latest_end"]
    if latest_end is None:
        return True
    year = indicator["summary__financial_year"]
    return period.financial_year in (year, year + 1) and latest_end <= period.end


_SUMMARY_FIELDS = (
    "summary__financial_year",
    "summary__latest_end",
    "summary__made_with",
    "summary_years",
    "summary_sparkline",
    "summary_sparkline_text",
)


def _with_summary(indicators: QuerySet, fy: int) -> QuerySet:
    """With each indicator, its summary's figures as at `fy`: those of the summary's own year, or
    of the year after where that is `fy` (only the one read, not both)."""
    year_after = Q(summary__financial_year=fy - 1)

    def figures(name: str, output_field):
        return Case(
            When(year_after, then=F(f"summary__next_{name}")),
            default=F(f"summary__{name}"),
            output_field=output_field,
        )

    return indicators.annotate(
        summary_years=figures("years", JSONField()),
        summary_sparkline=figures("sparkline", TextField()),
        summary_sparkline_text=figures("sparkline_text", TextField()),
    )


def _stored_figures(indicator: dict) -> RowFigures:
    years = indicator["summary_years"]
    return RowFigures(
        years=[None if v is None else Decimal(v) for v, _note, _shown in years],
        years_notes=[note for _v, note, _shown in years],
        years_display=[shown for _v, _note, shown in years],
        sparkline=indicator["summary_sparkline"],
        sparkline_text=indicator["summary_sparkline_text"],
    )


def _by_indicator(model, ids: list[int], *extra: str) -> dict[int, dict]:
    """{indicator: its assessment's `_ASSESSMENT_FIELDS`} for these assessment ids (`model`:
    `Assessment` or `ReportedAssessment`); no query without ids, as `id__in=[]` runs none."""
    if not ids:
        return {}
    rows = model.objects.filter(AmongIds(F("id"), ids)).order_by().values(*_ASSESSMENT_FIELDS, *extra)
    return {r["indicator_id"]: r for r in rows}


def _current_for(indicator_ids: list[int], period: Period | None) -> dict[int, dict]:
    """{indicator: its current assessment's `_ASSESSMENT_FIELDS`} for these indicators, chosen as
    `_with_selected` chooses: one query (the choice a subquery of it), none without ids.

    The as-reported scorecard's rows with nothing reported. Choosing their assessments here rather
    than in the indicator query, for all 1,000 rows beside their snapshots, took 5 ms of the
    as-reported CMT scorecard's 96 (issue 12: half building the second set of subqueries, half
    running it) for rows that are almost never shown.
    """
    if not indicator_ids:
        return {}
    chosen = _with_selected(
        Indicator.objects.filter(AmongIds(F("id"), indicator_ids)),
        "selected_id",
        period,
        "assessments",
        Assessment,
    ).values("selected_id")
    rows = Assessment.objects.filter(id__in=Subquery(chosen)).order_by().values(*_ASSESSMENT_FIELDS)
    return {r["indicator_id"]: r for r in rows}


def _window_series(ids: list[int], period: Period | None, fy: int) -> dict[int, list[tuple]]:
    """{indicator: [(kind, financial year, label, value), ...] in date order}: one query, none
    without ids."""
    if not ids:
        return {}
    window = Assessment.objects.filter(indicator_id__in=ids)
    if period is not None:
        # The three-year window bounds the rows read; without a period (dashboard, public pages:
        # latest results) the whole series is read, as the latest may predate the reporting year.
        window = window.filter(period__start__gte=window_start(fy), period__end__lte=period.end)
    # Only what a row can show: every year result, and of each other kind the latest
    # SPARKLINE_POINTS (the last points of the series, or of any kind, are among them).
    window = window.annotate(
        latest=Window(
            RowNumber(),
            partition_by=[F("indicator_id"), F("period__kind")],
            order_by=F("period__start").desc(),
        )
    ).filter(Q(latest__lte=SPARKLINE_POINTS) | Q(period__kind=c.YEAR))
    # Read in the window's own order (no second sort in the database), put in date order here.
    series = defaultdict(list)
    for indicator_id, *point in window.order_by("indicator_id", "period__kind", "-period__start").values_list(
        "indicator_id", "period__start", "period__kind", "period__financial_year", "period__label", "value"
    ):
        series[indicator_id].append(point)
    for points in series.values():
        points.sort()
        for i, point in enumerate(points):
            points[i] = point[1:]
    return series


def build_rows(
    indicators: QuerySet[Indicator],
    period: Period | None,
    as_of: datetime.date,
    *,
    sparkline_width: int = 120,
    as_reported: bool = False,
    compact_sparklines: bool = False,
) -> tuple[list[ScorecardRow], list[str]]:
    """Rows for these indicators as at `period`, in three queries (as reported too, where every
    row has an as-reported assessment: four where some has none); one fewer where every row's
    stored summary answers the period (`_summary_serves`: no window query).

    `as_reported`: each row shows its frozen as-reported assessment where there is one, else its
    current one (marked `not_reported`). `compact_sparklines`: the smaller SVG of
    `sparkline_svg(compact=True)`, for the scorecard tables. Returns (rows, year labels).

    Read as plain values, not model instances, and built in one pass with dict look-ups: at 1,000
    indicators the ORM's per-instance cost was most of the CMT scorecard's time.
    """
    # Each row's assessment, chosen in the indicator query: as reported, its snapshot's id (the
    # current one is looked up after, only for the rows with no snapshot: `_current_for`).
    if as_reported:
        indicators = _with_selected(
            indicators, "reported_id", period, "reported_assessments", ReportedAssessment
        )
        fields = _INDICATOR_FIELDS + ("reported_id",)
    else:
        indicators = _with_selected(indicators, "selected_id", period, "assessments", Assessment)
        fields = _INDICATOR_FIELDS + ("selected_id",)
    # The scorecard tables' sparklines as at a period: each indicator's stored summary, read with
    # it, where it answers (`_summary_serves`); the window query reads only the others.
    use_summary = period is not None and compact_sparklines and sparkline_width == SPARKLINE_WIDTH
    fy = period.financial_year if period else financial_year_of(as_of)
    if use_summary:
        indicators = _with_summary(indicators, fy)
        fields += _SUMMARY_FIELDS
    indicators = list(indicators.order_by("reference").values(*fields))
    if as_reported:
        reported_ids = [i["reported_id"] for i in indicators if i["reported_id"]]
        reported = _by_indicator(ReportedAssessment, reported_ids, "reported_at")
        # A row shows its current assessment only where nothing was reported: only those are
        # chosen and read (none, and no query, once a period's list froze every row).
        selected = _current_for([i["id"] for i in indicators if i["id"] not in reported], period)
    else:
        reported = {}
        selected = _by_indicator(Assessment, [i["selected_id"] for i in indicators if i["selected_id"]])
    years = [fy - 2, fy - 1, fy]
    summaries = {}
    if use_summary:
        summaries = {i["id"]: _stored_figures(i) for i in indicators if _summary_serves(i, period)}
    series = _window_series([i["id"] for i in indicators if i["id"] not in summaries], period, fy)

    rows = []
    no_points = []
    polarity_labels, variation_labels = c.POLARITY_LABELS, c.VARIATION_LABELS
    method_labels = c.FORECAST_METHOD_LABELS
    reported_days: dict = {}
    # {(value, places, unit): its text}: a scorecard's 3,000 figures repeat (equal Decimals format
    # alike whatever their exponent).
    shown = Memo(format_value, unpack=True)
    for indicator in indicators:
        indicator_id = indicator["id"]
        reference = indicator["reference"]
        unit, dp = indicator["unit"], indicator["decimal_places"]
        figures = summaries.get(indicator_id)
        if figures is None:
            figures = row_figures(
                series.get(indicator_id, no_points),
                FREQUENCY_KIND[indicator["frequency"]],
                fy,
                reference=reference,
                decimal_places=dp,
                unit=unit,
                sparkline_width=sparkline_width,
                compact=compact_sparklines,
            )
        username = indicator["responsible_officer__username"]
        if username is None:
            officer = ""
        else:  # User.get_full_name(), else the username
            full_name = f"{indicator['responsible_officer__first_name']} {indicator['responsible_officer__last_name']}"
            officer = full_name.strip() or username
        category = indicator["category"]
        row = ScorecardRow(
            indicator=RowIndicator(indicator_id, reference, unit, dp, indicator["frequency"]),
            reference=reference,
            title=indicator["title"],
            category=category,
            category_label=CATEGORY_LABELS.get(category, category),
            polarity_label=polarity_labels[indicator["polarity"]],
            years=figures.years,
            years_display=figures.years_display,
            years_notes=figures.years_notes,
            # sparkline_svg escapes every piece of text it writes (the stored one too: written by it)
            sparkline=SafeString(figures.sparkline),  # mark_safe's result, without its lazy-text checks
            sparkline_text=figures.sparkline_text,
            responsible_officer=officer,
            directorate_code=indicator["service__directorate__code"],
            directorate_slug=indicator["service__directorate__slug"],
            included=indicator["on_scorecard"],
            statutory=indicator["statutory"],
        )
        assessment = selected.get(indicator_id)
        if as_reported:
            # The as-reported assessment has the same fields as the current one (a frozen copy).
            snapshot = reported.get(indicator_id)
            if snapshot is not None:
                assessment = snapshot
                reported_at = snapshot["reported_at"]
                row.reported_on = reported_days.get(reported_at)
                if row.reported_on is None:  # a list's snapshots share one time: converted once
                    row.reported_on = reported_days[reported_at] = timezone.localdate(reported_at)
            else:
                row.not_reported = True
        if assessment is not None:
            row.value = assessment["value"]
            row.value_display = shown[row.value, dp, unit]
            row.period_label = assessment["period__label"]
            row.target = assessment["target"]
            row.target_display = shown[row.target, dp, unit]
            row.rag = assessment["rag"]
            row.direction = assessment["direction"]
            row.variation = variation = assessment["variation"]
            row.variation_label = variation_labels.get(variation, "") if variation else ""
            row.assurance = assurance = assessment["assurance"]
            row.assurance_label = assurance_label(assurance, assessment["shift_since"])
            row.forecast_value = assessment["forecast_value"]
            row.forecast_display = shown[row.forecast_value, dp, unit]
            row.forecast_method_label = method_labels.get(assessment["forecast_method"], "")
            row.forecast_rag = assessment["forecast_rag"]
        rows.append(row)
    return rows, [year_label(y) for y in years]


def summarise(rows: list[ScorecardRow]) -> dict[str, list[Count]]:
    """Counts by RAG, direction of travel and variation; "not assessed" counted once per table."""
    rags = Counter(r.rag or NOT_ASSESSED for r in rows)
    directions = Counter(r.direction or NOT_ASSESSED for r in rows)
    variations = Counter(r.variation or NOT_ASSESSED for r in rows)
    return {
        "rag": [Count(k, c.RAG_LABELS[k], rags[k]) for k in RAG_ORDER]
        + [Count(NOT_ASSESSED, "Not assessed", rags[NOT_ASSESSED])],
        "direction": [Count(k, c.DIRECTION_LABELS[k], directions[k]) for k in DIRECTION_ORDER]
        + [Count(NOT_ASSESSED, "Not assessed", directions[NOT_ASSESSED])],
        "variation": [Count(k, c.VARIATION_LABELS[k], variations[k]) for k in VARIATION_ORDER]
        + [Count(NOT_ASSESSED, "Not assessed", variations[NOT_ASSESSED])],
        "statutory": [Count(STATUTORY, "Statutory / single data list", sum(r.statutory for r in rows))],
    }


def group_by_category(rows: list[ScorecardRow], *, keep_empty: bool = True) -> list[Group]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.category].append(row)
    return [
        Group(key, CATEGORY_LABELS[key], grouped[key]) for key in CATEGORY_ORDER if keep_empty or grouped[key]
    ]
