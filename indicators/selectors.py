"""Read paths for indicator pages, each a fixed number of SQL queries whatever the data size."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from indicators.access import sees_drafts, visible_indicators
from indicators.analytics import constants as c
from indicators.charts import chart_data
from indicators.models import Assessment, Indicator, Result, Target

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
    results = Result.objects.filter(indicator=indicator).select_related("period").order_by("period__start")
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
