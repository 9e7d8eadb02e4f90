"""Scorecards, dashboards and the public pages: read paths with a fixed number of SQL queries.

Every scorecard is built the same way, whatever its subject (a directorate, the Council Plan, a
portfolio, CMT, a board): pick its indicators, narrow them to what the user may see, then read
(1) the indicators, (2) each one's assessment for the chosen period and (3) every assessment in
the three-year window for the year columns and sparklines — one query each, whatever the count.

Product decisions the issue leaves open (made here):
- The directorate scorecard shows the indicators marked "Include" (`on_scorecard`) by default,
  as the framework's Table 3.3 intends; `?indicators=all` shows every active indicator of the
  directorate (how Table 3.3's STF01 and STF32, not included, can still be reviewed).
- The CMT scorecard is every directorate's included indicators plus all statutory / single data
  list ones. The Council Plan scorecard is every active indicator with a theme, one section per
  theme (an indicator serving two themes appears in both).
- Period: a scorecard "as at" a period shows, for each indicator, its assessment for that exact
  period or else its latest assessment ending within it, labelled with its own period. With no
  period chosen it is the financial year of the reporting date (ReportingCalendar).
- As reported: once a period has been reported (its exception list built, which freezes its
  assessments as `ReportedAssessment`), the scorecard as at that period shows by default what was
  reported then — each row's as-reported assessment for that period, else its latest as-reported
  one ending within it — labelled "as reported on <date>". `?view=current` shows today's
  assessments instead (a changed target re-colours those, never the as-reported ones). A row with
  no as-reported assessment (an indicator added since) shows its current one, marked as such.
  Years are never reported as a whole (lists are monthly and quarterly), so year scorecards are
  always current.
- The year columns are the approved year results (period kind "year") of the chosen period's
  financial year and the two before it that had ended by the chosen period's end. Where the
  chosen year has no year result yet, its column shows the latest result of the year so far with
  its period, as Table 3.3 prints "1,918 (Q3)"; earlier years without a year result stay blank
  (a quarter's count is not a year's).
- Statutory / single data list indicators are marked in the table and counted in the summary,
  which filters to them (`?statutory=yes`): CMT watches them for the council's standing.
- A user whose role sees only part of a scorecard (an officer on their directorate's) is told how
  many of its indicators are outside their scope; the rows never include them.
- Rows are narrowed by `visible_indicators`: a councillor's Council Plan scorecard lists their
  portfolio's indicators and the published ones, never more than their role can open.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from indicators import access
from indicators.access import visible_indicators
from indicators.analytics import constants as c
from indicators.analytics.series import FREQUENCY_KIND
from indicators.models import Assessment, Indicator, Period
from indicators.periods import financial_year_of, year_label
from organisation import roles
from organisation.calendar import reporting_date
from organisation.models import Board, Directorate, Portfolio, Theme
from reporting.formatting import format_result, rounded
from reporting.models import ReportedAssessment
from reporting.sparklines import sparkline_description, sparkline_svg

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
NOT_ASSESSED = "not-assessed"  # filter value for rows with no assessment in the period
SORTS = {"reference": "Reference", "rag": "RAG (red first)", "direction": "Direction of travel (bad first)"}
SPARKLINE_POINTS = 12
VIEW_REPORTED = "reported"
VIEW_CURRENT = "current"
VIEWS = {VIEW_REPORTED: "As reported", VIEW_CURRENT: "Current"}

KIND_TITLES = {
    roles.SCORECARD_DIRECTORATE: "Directorate scorecard",
    roles.SCORECARD_COUNCIL_PLAN: "Council Plan scorecard",
    roles.SCORECARD_PORTFOLIO: "Executive portfolio scorecard",
    roles.SCORECARD_CMT: "Corporate Management Team scorecard",
    roles.SCORECARD_BOARD: "Board scorecard",
}


# ------------------------------------------------------------------------------------------
# Formatting


def short_period_label(kind: str, label: str) -> str:
    """A period within its financial year's column, as Table 3.3 marks it: "Q3", "Dec"."""
    if kind == c.QUARTER:
        return label.split()[0]
    if kind == c.MONTH:
        return label[:3]
    return label


def period_key(period: Period) -> str:
    """The period's identifier in URLs: "2015-16", "q3-2015-16", "dec-2015"."""
    return slugify(period.label.replace("/", "-"))


# ------------------------------------------------------------------------------------------
# Records


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


@dataclass
class Scorecard:
    kind: str
    title: str
    subject: object | None
    period: Period | None
    periods: list[Period]
    year_labels: list[str]
    sections: list[Section]
    summary: dict[str, list[Count]]
    total: int
    shown: int
    filters: dict[str, str]
    sort: str
    show_all: bool = False
    notices: list[str] = field(default_factory=list)
    directorates: list[Directorate] = field(default_factory=list)
    view: str = VIEW_CURRENT  # what the rows show: VIEW_REPORTED or VIEW_CURRENT
    reported_on: datetime.date | None = None  # when the chosen period was reported, if it was

    @property
    def as_reported(self) -> bool:
        return self.view == VIEW_REPORTED

    @property
    def period_key(self) -> str:
        return period_key(self.period) if self.period else ""

    @property
    def period_options(self) -> list[tuple[str, list[tuple[str, str, bool]]]]:
        """The period selector: (kind label, [(key, label, selected)]) for years, quarters, months."""
        options = []
        for kind, label in Period.KIND_CHOICES[::-1]:
            choices = [(period_key(p), p.label, p == self.period) for p in self.periods if p.kind == kind]
            if choices:
                options.append((label + "s", choices))
        return options

    @property
    def rows(self) -> list[ScorecardRow]:
        """Every shown row once, in order (an indicator in two themes appears once)."""
        seen, rows = set(), []
        for section in self.sections:
            for group in section.groups:
                for row in group.rows:
                    if row.reference not in seen:
                        seen.add(row.reference)
                        rows.append(row)
        return rows


# ------------------------------------------------------------------------------------------
# Building blocks shared by scorecards, the dashboard and the public pages


def choose_period(raw: str | None, periods: list[Period], as_of: datetime.date) -> tuple[Period | None, str]:
    """The period asked for in the URL, else the financial year of the reporting date.

    Returns (period, notice); a key that names no period falls back with a notice, never a 500.
    """
    by_key = {period_key(p): p for p in periods}
    fy = financial_year_of(as_of)
    default = next((p for p in periods if p.kind == c.YEAR and p.financial_year == fy), None)
    if default is None:
        default = next((p for p in periods if p.start <= as_of), periods[0] if periods else None)
    if not raw:
        return default, ""
    chosen = by_key.get(raw)
    if chosen is None:
        shown = default.label if default else "the latest results"
        return (
            default,
            f"There is no period called “{raw[:30]}”. Showing {shown}: choose a period from the list.",
        )
    return chosen, ""


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
    "forecast_value",
    "forecast_method",
    "forecast_rag",
    "period__label",
)


def build_rows(
    indicators: QuerySet[Indicator],
    period: Period | None,
    as_of: datetime.date,
    *,
    sparkline_width: int = 120,
    as_reported: bool = False,
) -> tuple[list[ScorecardRow], list[str]]:
    """Rows for these indicators as at `period`, in three queries (four as reported).

    `as_reported`: each row shows its frozen as-reported assessment where there is one, else its
    current one (marked `not_reported`). Returns (rows, year labels).

    Read as plain values, not model instances, and built in one pass with dict look-ups: at 1,000
    indicators the ORM's per-instance cost was most of the CMT scorecard's time.
    """
    indicators = _with_selected(indicators, "selected_id", period, "assessments", Assessment)
    fields = _INDICATOR_FIELDS + ("selected_id",)
    if as_reported:
        indicators = _with_selected(
            indicators, "reported_id", period, "reported_assessments", ReportedAssessment
        )
        fields += ("reported_id",)
    indicators = list(indicators.order_by("reference").values(*fields))
    ids = [i["id"] for i in indicators]
    selected = {
        a["indicator_id"]: a
        for a in Assessment.objects.filter(id__in=[i["selected_id"] for i in indicators if i["selected_id"]])
        .order_by()
        .values(*_ASSESSMENT_FIELDS)
    }
    reported = {}
    if as_reported:
        reported = {
            r["indicator_id"]: r
            for r in ReportedAssessment.objects.filter(
                id__in=[i["reported_id"] for i in indicators if i["reported_id"]]
            )
            .order_by()
            .values(*_ASSESSMENT_FIELDS, "reported_at")
        }
    fy = period.financial_year if period else financial_year_of(as_of)
    years = [fy - 2, fy - 1, fy]
    window = Assessment.objects.filter(indicator_id__in=ids)
    if period is not None:
        # The three-year window bounds the rows read; without a period (dashboard, public pages:
        # latest results) the whole series is read, as the latest may predate the reporting year.
        window = window.filter(period__start__gte=datetime.date(fy - 2, 4, 1), period__end__lte=period.end)
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

    rows = []
    no_points = []
    polarity_labels, variation_labels = c.POLARITY_LABELS, c.VARIATION_LABELS
    assurance_labels, method_labels = c.ASSURANCE_LABELS, c.FORECAST_METHOD_LABELS
    for indicator in indicators:
        indicator_id = indicator["id"]
        reference = indicator["reference"]
        unit, dp = indicator["unit"], indicator["decimal_places"]
        own_kind = FREQUENCY_KIND[indicator["frequency"]]
        points = series.get(indicator_id, no_points)
        by_year = {}
        own_values, own_labels = [], []
        for kind, fin_year, label, value in points:
            if kind == c.YEAR:
                by_year[fin_year] = value
            if kind == own_kind:
                own_values.append(value)
                own_labels.append(label)
        if len(own_values) >= 2:
            values, labels = own_values[-SPARKLINE_POINTS:], own_labels[-SPARKLINE_POINTS:]
        else:
            chart = points[-SPARKLINE_POINTS:]
            values, labels = [p[3] for p in chart], [p[2] for p in chart]
        year_values = [by_year.get(y) for y in years]
        year_notes = ["", "", ""]
        if year_values[2] is None and own_values:
            # The chosen year has no year result yet: as Table 3.3 prints "1,918 (Q3)", its column
            # shows the latest result of the year so far, marked with the period it is for.
            for kind, fin_year, label, value in reversed(points):
                if kind == own_kind and fin_year == fy:
                    year_values[2], year_notes[2] = value, short_period_label(kind, label)
                    break
        if values:
            text = sparkline_description(values, labels)
            sparkline = mark_safe(  # noqa: S308 — sparkline_svg escapes every piece of text it writes
                sparkline_svg(values, labels, width=sparkline_width, title=reference, description=text)
            )
        else:
            text, sparkline = "", mark_safe("")
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
            years=year_values,
            years_display=[
                f"{format_result(v, unit, dp)} ({note})" if note else format_result(v, unit, dp)
                for v, note in zip(year_values, year_notes, strict=True)
            ],
            years_notes=year_notes,
            sparkline=sparkline,
            sparkline_text=text,
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
                row.reported_on = timezone.localdate(snapshot["reported_at"])
            else:
                row.not_reported = True
        if assessment is not None:
            row.value = assessment["value"]
            row.value_display = format_result(row.value, unit, dp)
            row.period_label = assessment["period__label"]
            row.target = assessment["target"]
            row.target_display = format_result(row.target, unit, dp)
            row.rag = assessment["rag"]
            row.direction = assessment["direction"]
            row.variation = variation = assessment["variation"]
            row.variation_label = variation_labels.get(variation, "") if variation else ""
            row.assurance = assurance = assessment["assurance"]
            row.assurance_label = assurance_labels.get(assurance, "") if assurance else ""
            row.forecast_value = assessment["forecast_value"]
            row.forecast_display = format_result(row.forecast_value, unit, dp)
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


STATUTORY = "yes"  # the filter value for statutory / single data list indicators
FILTER_FIELDS = {
    "rag": (set(RAG_ORDER) | {NOT_ASSESSED}, "RAG"),
    "direction": (set(DIRECTION_ORDER) | {NOT_ASSESSED}, "direction of travel"),
    "variation": (set(VARIATION_ORDER) | {NOT_ASSESSED}, "variation"),
    "statutory": ({STATUTORY}, "statutory return choice"),
}


def clean_filters(params) -> tuple[dict[str, str], list[str]]:
    """The summary-panel filters from the URL; an unknown value is dropped with a notice."""
    filters, notices = {}, []
    for name, (allowed, words) in FILTER_FIELDS.items():
        raw = (params.get(name) or "").strip()
        if not raw:
            continue
        if raw in allowed:
            filters[name] = raw
        else:
            notices.append(
                f"“{raw[:30]}” is not a {words} this scorecard can filter by, so that filter was ignored."
            )
    return filters, notices


def _filter_value(row: ScorecardRow, name: str) -> str:
    if name == "statutory":
        return STATUTORY if row.statutory else ""
    return getattr(row, name) or NOT_ASSESSED


def _matches(row: ScorecardRow, filters: dict[str, str]) -> bool:
    return all(_filter_value(row, name) == value for name, value in filters.items())


def _sort_key(sort: str):
    if sort == "rag":
        rank = {k: i for i, k in enumerate(RAG_ORDER)}
        return lambda r: (rank.get(r.rag, len(rank)), r.reference)
    if sort == "direction":
        rank = {k: i for i, k in enumerate(DIRECTION_ORDER)}
        return lambda r: (rank.get(r.direction, len(rank)), r.reference)
    return lambda r: r.reference


def group_by_category(rows: list[ScorecardRow], *, keep_empty: bool = True) -> list[Group]:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.category].append(row)
    return [
        Group(key, CATEGORY_LABELS[key], grouped[key]) for key in CATEGORY_ORDER if keep_empty or grouped[key]
    ]


# ------------------------------------------------------------------------------------------
# Scorecards


def _subject(user, kind: str, slug: str | None):
    """Fetch the scorecard's subject and check the user may see it (404 unknown, 403 out of scope)."""
    model = {
        roles.SCORECARD_DIRECTORATE: Directorate,
        roles.SCORECARD_PORTFOLIO: Portfolio,
        roles.SCORECARD_BOARD: Board,
    }.get(kind)
    if kind not in KIND_TITLES:
        raise Http404("No such scorecard.")
    subject = get_object_or_404(model, slug=slug) if model else None
    if not roles.may_see_scorecard(user, kind, subject.id if subject else None):
        raise PermissionDenied("This scorecard is outside your role's scope.")
    return subject


def _scorecard_indicators(
    indicators: QuerySet[Indicator], kind: str, subject, show_all: bool
) -> QuerySet[Indicator]:
    """The scorecard's active indicators among `indicators` (what the user may see, or all)."""
    indicators = indicators.filter(is_active=True)
    if kind == roles.SCORECARD_DIRECTORATE:
        indicators = indicators.filter(service__directorate=subject)
        return indicators if show_all else indicators.filter(on_scorecard=True)
    if kind == roles.SCORECARD_PORTFOLIO:
        return indicators.filter(portfolio=subject)
    if kind == roles.SCORECARD_BOARD:
        return indicators.filter(
            id__in=Indicator.boards.through.objects.filter(board=subject).values("indicator_id")
        )
    if kind == roles.SCORECARD_COUNCIL_PLAN:
        return indicators.filter(id__in=Indicator.themes.through.objects.values("indicator_id"))
    return indicators.filter(Q(on_scorecard=True) | Q(statutory=True))  # CMT


def scorecard(
    user,
    kind: str,
    slug: str | None = None,
    *,
    period: str | None = None,
    params=None,
    show_all: bool = False,
    view: str | None = None,
) -> Scorecard:
    """A scorecard as at a period, filtered and sorted as the URL says. Six queries (seven for
    the Council Plan; one more as reported; one more for a role that sees only part of the
    council) after the user's profile is loaded, whatever the number of indicators.

    `view`: "reported" (the default where the period was reported) or "current".
    """
    params = params or {}
    subject = _subject(user, kind, slug)
    show_all = show_all and kind == roles.SCORECARD_DIRECTORATE
    as_of = reporting_date()
    # When each period was reported (frozen), read with the periods: no query of its own.
    periods = list(
        Period.objects.annotate(
            reported_at=Subquery(
                ReportedAssessment.objects.filter(period=OuterRef("pk"))
                .order_by("-reported_at")
                .values("reported_at")[:1]
            )
        ).order_by("-start", "kind")
    )
    chosen, notice = choose_period(period, periods, as_of)
    notices = [notice] if notice else []
    reported_on = timezone.localdate(chosen.reported_at) if chosen and chosen.reported_at else None
    if view and view not in VIEWS:
        notices.append(
            f"“{view[:30]}” is not a way to show a scorecard: choose “as reported” or “current”."
            f" Showing {_default_view_words(reported_on)}."
        )
        view = None
    if reported_on is None:
        if view == VIEW_REPORTED and chosen is not None:
            notices.append(
                f"{chosen.label} has not been reported yet (its exception list is built once its returns"
                " fall due), so this shows the current assessments."
            )
        view = VIEW_CURRENT
    view = view or VIEW_REPORTED
    filters, filter_notices = clean_filters(params)
    notices += filter_notices
    sort = params.get("sort") or "reference"
    if sort not in SORTS:
        notices.append(
            f"“{sort[:30]}” is not a way this scorecard can be sorted, so it is sorted by reference."
        )
        sort = "reference"

    rows, year_labels = build_rows(
        _scorecard_indicators(visible_indicators(user), kind, subject, show_all),
        chosen,
        as_of,
        as_reported=view == VIEW_REPORTED,
    )
    if access.scope_filter(user) is not None:  # one more query, for scoped roles only
        hidden = _scorecard_indicators(Indicator.objects.all(), kind, subject, show_all).count() - len(rows)
        if hidden > 0:
            notices.append(
                f"You see {len(rows)} of this scorecard's {len(rows) + hidden} indicators: the other "
                f"{hidden} {'is' if hidden == 1 else 'are'} outside your role's scope."
            )
    summary = summarise(rows)
    shown_rows = sorted((r for r in rows if _matches(r, filters)), key=_sort_key(sort))

    directorates = []
    if kind == roles.SCORECARD_COUNCIL_PLAN:
        themes = list(Theme.objects.order_by("order", "name"))
        links = defaultdict(set)
        for indicator_id, theme_id in Indicator.themes.through.objects.filter(
            indicator_id__in=[r.indicator.id for r in rows]
        ).values_list("indicator_id", "theme_id"):
            links[theme_id].add(indicator_id)
        sections = [
            Section(
                theme.name,
                group_by_category(
                    [r for r in shown_rows if r.indicator.id in links[theme.id]], keep_empty=False
                ),
            )
            for theme in themes
        ]
    else:
        sections = [Section("", group_by_category(shown_rows))]
        if kind == roles.SCORECARD_CMT:
            directorates = list(Directorate.objects.order_by("name"))

    title = KIND_TITLES[kind]
    if subject is not None:
        title = f"{subject.name}: {title[0].lower()}{title[1:]}"
    return Scorecard(
        kind=kind,
        title=title,
        subject=subject,
        period=chosen,
        periods=periods,
        year_labels=year_labels,
        sections=sections,
        summary=summary,
        total=len(rows),
        shown=len(shown_rows),
        filters=filters,
        sort=sort,
        show_all=show_all,
        notices=notices,
        directorates=directorates,
        view=view,
        reported_on=reported_on,
    )


def _default_view_words(reported_on: datetime.date | None) -> str:
    return "what was reported" if reported_on else "the current assessments"


def cmt_scorecard(user, period: str | None = None) -> Scorecard:
    """The CMT scorecard: every directorate's included indicators plus the statutory ones.

    A plain function so `manage.py bench` can time it at 1,000 indicators.
    """
    return scorecard(user, roles.SCORECARD_CMT, period=period)


def scorecard_url(kind: str, subject=None) -> str:
    if subject is None:
        return reverse(f"scorecards:{kind.replace('-', '_')}")
    return reverse(f"scorecards:{kind.replace('-', '_')}", args=[subject.slug])


def scorecards_for(user) -> list[tuple[str, str]]:
    """(title, url) of every scorecard the user may open, for the index and the home page."""
    if not user.is_authenticated:
        return []
    links = []
    if roles.may_see_scorecard(user, roles.SCORECARD_CMT):
        links.append((KIND_TITLES[roles.SCORECARD_CMT], scorecard_url(roles.SCORECARD_CMT)))
    if roles.may_see_scorecard(user, roles.SCORECARD_COUNCIL_PLAN):
        links.append((KIND_TITLES[roles.SCORECARD_COUNCIL_PLAN], scorecard_url(roles.SCORECARD_COUNCIL_PLAN)))
    for kind, model in (
        (roles.SCORECARD_DIRECTORATE, Directorate),
        (roles.SCORECARD_PORTFOLIO, Portfolio),
        (roles.SCORECARD_BOARD, Board),
    ):
        for subject in model.objects.order_by("name"):
            if roles.may_see_scorecard(user, kind, subject.id):
                links.append((f"{subject.name}: {KIND_TITLES[kind].lower()}", scorecard_url(kind, subject)))
    return links


# ------------------------------------------------------------------------------------------
# Dashboard


@dataclass
class Dashboard:
    themes: list[Theme]
    portfolios: list[Portfolio]
    choice: str  # "theme:<slug>" or "portfolio:<slug>"
    subject: object | None
    rows: list[ScorecardRow]
    summary: dict[str, list[Count]]
    notice: str = ""


def dashboard(user, choice: str | None) -> Dashboard:
    """A councillor's on-demand dashboard for one theme or portfolio, in five queries.

    Defaults to the user's own portfolio, else the first theme. Rows are narrowed by
    `visible_indicators`, so choosing someone else's portfolio shows only its published indicators.
    """
    themes = list(Theme.objects.order_by("order", "name"))
    portfolios = list(Portfolio.objects.order_by("name"))
    options = {f"theme:{t.slug}": t for t in themes} | {f"portfolio:{p.slug}": p for p in portfolios}
    profile = getattr(user, "profile", None)
    default = None
    if profile is not None and profile.portfolio_id:
        default = next(
            (k for k, v in options.items() if k.startswith("portfolio:") and v.id == profile.portfolio_id),
            None,
        )
    if default is None and themes:
        default = f"theme:{themes[0].slug}"
    notice = ""
    if choice and choice not in options:
        notice = "That theme or portfolio was not found: choose one from the list."
        choice = None
    choice = choice or default
    subject = options.get(choice) if choice else None
    indicators = visible_indicators(user).filter(is_active=True)
    if isinstance(subject, Theme):
        indicators = indicators.filter(
            id__in=Indicator.themes.through.objects.filter(theme=subject).values("indicator_id")
        )
    elif isinstance(subject, Portfolio):
        indicators = indicators.filter(portfolio=subject)
    else:
        indicators = indicators.none()
    rows, _ = build_rows(indicators, None, reporting_date(), sparkline_width=240)
    return Dashboard(themes, portfolios, choice or "", subject, rows, summarise(rows), notice)


# ------------------------------------------------------------------------------------------
# Public pages and open data: published, active indicators only, whoever asks.


def published_indicators() -> QuerySet[Indicator]:
    return Indicator.objects.filter(published=True, is_active=True)


def public_overview() -> tuple[list[Group], dict[str, list[Count]]]:
    """Every published indicator with its latest result, grouped by category."""
    rows, _ = build_rows(published_indicators(), None, reporting_date())
    for row in rows:
        row.responsible_officer = ""  # officers' names are not part of the published data
    return group_by_category(rows, keep_empty=False), summarise(rows)


def public_indicator(reference: str) -> tuple[Indicator, list[Assessment], SafeString]:
    """A published indicator and its assessed (approved) results; anything else is a 404."""
    indicator = published_indicators().filter(reference=reference).first()
    if indicator is None:
        raise Http404("No such published indicator.")
    assessments = list(
        Assessment.objects.filter(indicator=indicator)
        .select_related("period")
        .order_by("period__start", "period__kind")
    )
    own = [a for a in assessments if a.period.kind == FREQUENCY_KIND[indicator.frequency]]
    chart = own if len(own) >= 2 else assessments
    svg = sparkline_svg(
        [a.value for a in chart],
        [a.period.label for a in chart],
        width=600,
        height=120,
        padding=8,
        title=f"{indicator.reference} results",
    )
    return indicator, assessments, mark_safe(svg)  # noqa: S308 — escaped by sparkline_svg


OPEN_DATA_FIELDS = [
    "Id",
    "Indicator",
    "Period",
    "Polarity",
    "Total",
    "Target",
    "RAG",
    "Direction of travel",
    "Unit",
]


def open_data_rows() -> list[dict]:
    """The long format York publishes: one row per published indicator and assessed period."""
    assessments = (
        Assessment.objects.filter(indicator__in=published_indicators())
        .select_related("indicator", "period")
        .order_by("indicator__reference", "period__start", "period__kind")
    )
    return [
        {
            "Id": a.indicator.reference,
            "Indicator": a.indicator.title,
            "Period": a.period.label,
            "Polarity": a.indicator.polarity_label,
            # To the indicator's decimal places, as the pages show them ("227", not "227.0000").
            "Total": rounded(a.value, a.indicator.decimal_places),
            "Target": rounded(a.target, a.indicator.decimal_places),
            "RAG": c.RAG_LABELS.get(a.rag, ""),
            "Direction of travel": c.DIRECTION_LABELS.get(a.direction, ""),
            "Unit": a.indicator.get_unit_display(),
        }
        for a in assessments
    ]
