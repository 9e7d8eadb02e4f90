"""Indicators, their results, assessments and targets, and York's open-data long format.

Every read narrows through `indicators.access` (visible_indicators, sees_drafts): anonymous
callers see published indicators and approved results only, exactly as /public/ does.
"""

from typing import Literal

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from api.common import caller, csv_response, indicator_for, paged, period_range
from api.schemas import (
    AssessmentPage,
    IndicatorOut,
    IndicatorPage,
    OpenDataPage,
    Problem,
    ResultPage,
    TargetPage,
)
from indicators.access import sees_drafts, visible_indicators
from indicators.analytics import constants as c
from indicators.models import Assessment, Indicator, Result, Target
from organisation.models import Board, Theme
from reporting.exports import open_data_csv
from reporting.public import OPEN_DATA_FIELDS, open_data_rows

router = Router(tags=["Indicators"])
Format = Literal["json", "csv"]
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


class IndicatorFilters(Schema):
    q: str | None = Field(None, max_length=100)
    directorate: str | None = None
    service: str | None = None
    theme: str | None = None
    portfolio: str | None = None
    board: str | None = None
    category: Literal[tuple(Indicator.Category.values)] | None = None  # type: ignore[valid-type]
    polarity: Literal[tuple(c.POLARITY_LABELS)] | None = None  # type: ignore[valid-type]
    statutory: bool | None = None
    published: bool | None = None


class Paging(Schema):
    page: int = Field(1, ge=1, le=100_000)
    page_size: int | None = Field(None, ge=1, le=200)
    format: Format = "json"


def _period(period) -> dict:
    return {
        "key": period.key,
        "label": period.label,
        "kind": period.kind,
        "start": period.start,
        "end": period.end,
    }


def _indicator_row(i: Indicator) -> dict:
    return {
        "reference": i.reference,
        "title": i.title,
        "definition": i.definition,
        "data_source": i.data_source,
        "category": i.category,
        "unit": i.unit,
        "decimal_places": i.decimal_places,
        "polarity": i.polarity,
        "frequency": i.frequency,
        "measure_type": i.measure_type,
        "directorate": i.service.directorate.slug,
        "service": i.service.slug,
        "portfolio": i.portfolio.slug if i.portfolio else None,
        "themes": sorted(t.slug for t in i.theme_list),
        "boards": sorted(b.slug for b in i.board_list),
        "statutory": i.statutory,
        "published": i.published,
        "is_active": i.is_active,
    }


INDICATOR_CSV = [
    "reference",
    "title",
    "category",
    "unit",
    "polarity",
    "frequency",
    "directorate",
    "service",
    "portfolio",
    "themes",
    "boards",
    "statutory",
    "published",
    "is_active",
]


def filtered_indicators(user, f: IndicatorFilters):
    qs = visible_indicators(user)
    if f.q:
        for word in f.q.split()[:10]:
            qs = qs.filter(Q(reference__icontains=word) | Q(title__icontains=word))
    if f.directorate:
        qs = qs.filter(service__directorate__slug=f.directorate)
    if f.service:
        qs = qs.filter(service__slug=f.service)
    if f.portfolio:
        qs = qs.filter(portfolio__slug=f.portfolio)
    # Many-to-many filters as id subqueries, so an indicator never appears twice.
    if f.theme:
        qs = qs.filter(
            id__in=Theme.indicators.through.objects.filter(theme__slug=f.theme).values("indicator_id")
        )
    if f.board:
        qs = qs.filter(
            id__in=Board.indicators.through.objects.filter(board__slug=f.board).values("indicator_id")
        )
    for name in ("category", "polarity", "statutory", "published"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    return (
        qs.select_related("service__directorate", "portfolio")
        .prefetch_related(
            Prefetch("themes", queryset=Theme.objects.only("id", "slug"), to_attr="theme_list"),
            Prefetch("boards", queryset=Board.objects.only("id", "slug"), to_attr="board_list"),
        )
        .order_by("reference")
    )


@router.get("/indicators", response={200: IndicatorPage, **ERRORS}, summary="Indicators")
def indicators(request, filters: Query[IndicatorFilters], paging: Query[Paging]):
    """The indicators the caller may see (anonymous: published ones), filtered and paged."""
    qs = filtered_indicators(caller(request).user, filters)
    if paging.format == "csv":
        rows = [_indicator_row(i) for i in qs]
        return csv_response(
            "indicators",
            INDICATOR_CSV,
            [[("; ".join(r[k]) if isinstance(r[k], list) else r[k]) for k in INDICATOR_CSV] for r in rows],
        )
    return paged(request, qs, paging.page, paging.page_size, _indicator_row)


@router.get("/indicators/{reference}", response={200: IndicatorOut, **ERRORS}, summary="One indicator")
def indicator(request, reference: str):
    found = indicator_for(request, reference)
    return _indicator_row(filtered_indicators(caller(request).user, IndicatorFilters()).get(id=found.id))


class RangeQuery(Schema):
    start: str | None = None
    end: str | None = None


def _range(r: RangeQuery) -> Q:
    return period_range(r.start, r.end)


RESULT_CSV = [
    "indicator",
    "period",
    "period_label",
    "value",
    "numerator",
    "denominator",
    "status",
    "commentary",
    "is_provisional",
    "is_proxy",
    "version",
]


def _result_row(reference):
    def row(r: Result) -> dict:
        return {
            "indicator": reference,
            "period": _period(r.period),
            "value": r.value,
            "numerator": r.numerator,
            "denominator": r.denominator,
            "status": r.status,
            "commentary": r.commentary,
            "is_provisional": r.is_provisional,
            "is_proxy": r.is_proxy,
            "version": r.version,
        }

    return row


def _flat(row: dict) -> dict:
    period = row["period"]
    return {**row, "period": period["key"], "period_label": period["label"]}


@router.get("/indicators/{reference}/results", response={200: ResultPage, **ERRORS}, summary="Results")
def results(request, reference: str, periods: Query[RangeQuery], paging: Query[Paging]):
    """Results by period, oldest first. Approved results only, unless the caller's role sees drafts
    of this indicator (owners, their managers, the hub and audit), as on the indicator page.
    `start` and `end` are period keys (2015-12, fy2015-16-q3, fy2015-16)."""
    found = indicator_for(request, reference)
    qs = Result.objects.filter(_range(periods), indicator=found).select_related("period")
    if not sees_drafts(caller(request).user, found):
        qs = qs.filter(status=Result.Status.APPROVED)
    qs = qs.order_by("period__end", "period__kind", "period__start")
    serialise = _result_row(found.reference)
    if paging.format == "csv":
        return csv_response(
            f"{found.reference}-results",
            RESULT_CSV,
            [[_flat(serialise(r))[k] for k in RESULT_CSV] for r in qs],
        )
    return paged(request, qs, paging.page, paging.page_size, serialise)


ASSESSMENT_CSV = [
    "indicator",
    "period",
    "period_label",
    "value",
    "target",
    "rag_label",
    "direction_label",
    "comparator_period",
    "comparator_value",
    "variation",
    "assurance",
    "forecast_value",
    "forecast_rag",
]


def _assessment_row(reference):
    def row(a: Assessment) -> dict:
        return {
            "indicator": reference,
            "period": _period(a.period),
            "value": a.value,
            "target": a.target,
            "rag": a.rag,
            "rag_label": c.RAG_LABELS.get(a.rag, ""),
            "direction": a.direction,
            "direction_label": c.DIRECTION_LABELS.get(a.direction, ""),
            "comparator_period": a.comparator_period.key if a.comparator_period else None,
            "comparator_value": a.comparator_value,
            "variation": a.variation,
            "assurance": a.assurance,
            "forecast_value": a.forecast_value,
            "forecast_rag": a.forecast_rag,
            "is_latest": a.is_latest,
        }

    return row


@router.get(
    "/indicators/{reference}/assessments", response={200: AssessmentPage, **ERRORS}, summary="Assessments"
)
def assessments(request, reference: str, periods: Query[RangeQuery], paging: Query[Paging]):
    """RAG, direction of travel, variation and forecast of each assessed (approved) result."""
    found = indicator_for(request, reference)
    qs = (
        Assessment.objects.filter(_range(periods), indicator=found)
        .select_related("period", "comparator_period")
        .order_by("period__end", "period__kind", "period__start")
    )
    serialise = _assessment_row(found.reference)
    if paging.format == "csv":
        return csv_response(
            f"{found.reference}-assessments",
            ASSESSMENT_CSV,
            [[_flat(serialise(a))[k] for k in ASSESSMENT_CSV] for a in qs],
        )
    return paged(request, qs, paging.page, paging.page_size, serialise)


@router.get("/indicators/{reference}/targets", response={200: TargetPage, **ERRORS}, summary="Targets")
def targets(request, reference: str, periods: Query[RangeQuery], paging: Query[Paging]):
    found = indicator_for(request, reference)
    qs = (
        Target.objects.filter(_range(periods), indicator=found)
        .select_related("period")
        .order_by("period__end", "period__kind", "period__start")
    )

    def serialise(t):
        return {"indicator": found.reference, "period": _period(t.period), "value": t.value}

    if paging.format == "csv":
        return csv_response(
            f"{found.reference}-targets",
            ["indicator", "period", "period_label", "value"],
            [[found.reference, t.period.key, t.period.label, t.value] for t in qs],
        )
    return paged(request, qs, paging.page, paging.page_size, serialise)


@router.get(
    "/open-data", response={200: OpenDataPage, **ERRORS}, by_alias=True, summary="Open data (long format)"
)
def open_data(request, paging: Query[Paging]):
    """York's open-data long format, the same rows as /public/open-data.csv: every published
    indicator's assessed results, whoever calls."""
    rows = open_data_rows()
    if paging.format == "csv":
        # Byte for byte what /public/open-data.csv serves (reporting.exports.open_data_csv).
        response = HttpResponse(open_data_csv(rows, OPEN_DATA_FIELDS), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="kpi-open-data.csv"'
        return response
    return paged(request, rows, paging.page, paging.page_size, lambda r: r)
