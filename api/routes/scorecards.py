"""Scorecards and exception lists: the same builders, and the same role checks, as the pages."""

import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema

from api.common import csv_response, iso, signed_in_user
from api.schemas import Problem
from indicators.analytics import constants as c
from indicators.periods import canonical_period_key
from organisation.models import Directorate
from organisation.roles import may_read_exceptions
from reporting.exceptions import exception_page_rows
from reporting.models import ExceptionList, ExceptionReason
from reporting.scorecards.scorecard import scorecard
from reporting.scorecards.subjects import scorecards_for

router = Router(tags=["Scorecards and exception lists"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}
Kind = Literal["cmt", "council-plan", "directorate", "portfolio", "board"]


class ScorecardLink(Schema):
    title: str
    path: str


class ScorecardRowOut(Schema):
    reference: str
    title: str
    category: str
    polarity: str
    period: str
    value: Decimal | None
    target: Decimal | None
    rag: str
    rag_label: str
    direction: str
    direction_label: str
    variation: str
    assurance: str
    forecast_value: Decimal | None
    forecast_rag: str
    statutory: bool
    directorate: str
    responsible_officer: str
    reported_on: datetime.date | None


class ScorecardOut(Schema):
    kind: str
    title: str
    period: str | None
    period_label: str | None
    view: str
    reported_on: datetime.date | None
    notices: list[str]
    total: int
    rows: list[ScorecardRowOut]


class ScorecardQuery(Schema):
    period: str | None = None
    view: Literal["reported", "current"] | None = None
    format: Literal["json", "csv"] = "json"


@router.get("/scorecards", response={200: list[ScorecardLink], **ERRORS}, summary="Scorecards you may open")
def scorecard_list(request):
    user = signed_in_user(request)
    return [{"title": title, "path": "/api/v1" + url.rstrip("/")} for title, url in scorecards_for(user)]


def _row(r) -> dict:
    return {
        "reference": r.reference,
        "title": r.title,
        "category": r.category,
        "polarity": r.polarity_label,
        "period": r.period_label,
        "value": r.value,
        "target": r.target,
        "rag": r.rag,
        "rag_label": r.rag_label,
        "direction": r.direction,
        "direction_label": r.direction_label,
        "variation": r.variation,
        "assurance": r.assurance,
        "forecast_value": r.forecast_value,
        "forecast_rag": r.forecast_rag,
        "statutory": r.statutory,
        "directorate": r.directorate_code,
        "responsible_officer": r.responsible_officer,
        "reported_on": r.reported_on,
    }


SCORECARD_CSV = [
    "reference",
    "title",
    "category",
    "polarity",
    "period",
    "value",
    "target",
    "rag_label",
    "direction_label",
    "variation",
    "assurance",
    "forecast_value",
    "forecast_rag",
    "statutory",
    "directorate",
    "responsible_officer",
]


def _scorecard(request, kind: str, slug: str | None, q: ScorecardQuery):
    user = signed_in_user(request)
    if (slug is None) != (kind in ("cmt", "council-plan")):
        raise Http404("No such scorecard.")
    card = scorecard(user, kind, slug, period=q.period, view=q.view)
    rows = [_row(r) for r in card.rows]
    if q.format == "csv":
        return csv_response(
            f"scorecard-{kind}-{slug or ''}", SCORECARD_CSV, [[row[k] for k in SCORECARD_CSV] for row in rows]
        )
    return {
        "kind": card.kind,
        "title": card.title,
        "period": card.period.key if card.period else None,
        "period_label": card.period.label if card.period else None,
        "view": card.view,
        "reported_on": card.reported_on,
        "notices": card.notices,
        "total": card.total,
        "rows": rows,
    }


@router.get(
    "/scorecards/{kind}", response={200: ScorecardOut, **ERRORS}, summary="CMT or Council Plan scorecard"
)
def scorecard_whole(request, kind: Kind, q: Query[ScorecardQuery]):
    """`period` is a period key; a reported period shows its figures as reported unless view=current."""
    return _scorecard(request, kind, None, q)


@router.get(
    "/scorecards/{kind}/{slug}",
    response={200: ScorecardOut, **ERRORS},
    summary="A directorate's, portfolio's or board's scorecard",
)
def scorecard_of(request, kind: Kind, slug: str, q: Query[ScorecardQuery]):
    return _scorecard(request, kind, slug, q)


class ExceptionRowOut(Schema):
    reference: str
    title: str
    directorate: str
    service: str
    reasons: list[str]
    reason_labels: list[str]
    rag_label: str
    reported_rag_label: str
    due: datetime.date
    reviewed: bool
    reviewed_at: datetime.datetime | None
    review_note: str


class ExceptionListOut(Schema):
    period: str
    period_label: str
    rows: list[ExceptionRowOut]


class ExceptionListLink(Schema):
    period: str
    period_label: str
    path: str


def _require_reader(request):
    from django.core.exceptions import PermissionDenied

    user = signed_in_user(request)
    if not may_read_exceptions(user):
        raise PermissionDenied("Exception lists are for the Strategic Intelligence Hub and CMT.")
    return user


@router.get("/exception-lists", response={200: list[ExceptionListLink], **ERRORS}, summary="Exception lists")
def exception_lists(request):
    _require_reader(request)
    lists = ExceptionList.objects.select_related("period").order_by("-period__start", "period__kind")
    return [
        {
            "period": lst.period.key,
            "period_label": lst.period.label,
            "path": f"/api/v1/exception-lists/{lst.period.key}",
        }
        for lst in lists
    ]


class ExceptionQuery(Schema):
    directorate: str | None = None
    format: Literal["json", "csv"] = "json"


EXCEPTION_CSV = [
    "reference",
    "title",
    "directorate",
    "service",
    "reason_labels",
    "rag_label",
    "reported_rag_label",
    "due",
    "reviewed",
]


@router.get(
    "/exception-lists/{period}",
    response={200: ExceptionListOut, **ERRORS},
    summary="One period's exception list",
)
def exception_list(request, period: str, q: Query[ExceptionQuery]):
    _require_reader(request)
    key = canonical_period_key(period)
    found = (
        next((lst for lst in ExceptionList.objects.select_related("period") if lst.period.key == key), None)
        if key
        else None
    )
    if found is None:
        raise Http404("There is no exception list for that period.")
    directorate_id = None
    if q.directorate:
        directorate = Directorate.objects.filter(slug=q.directorate).first()
        if directorate is None:
            raise Http404("No such directorate.")
        directorate_id = directorate.id
    labels = dict(ExceptionReason.choices)
    rows = [
        {
            "reference": r.reference,
            "title": r.title,
            "directorate": r.directorate,
            "service": r.service,
            "reasons": list(r.entry.reasons),
            "reason_labels": [labels.get(x, x) for x in r.entry.reasons],
            "rag_label": c.RAG_LABELS.get(r.assessment.rag, "") if r.assessment else "",
            "reported_rag_label": c.RAG_LABELS.get(r.reported.rag, "") if r.reported else "",
            "due": r.due,
            "reviewed": r.entry.reviewed_at is not None,
            "reviewed_at": r.entry.reviewed_at,
            "review_note": r.entry.review_note,
        }
        for r in exception_page_rows(period=found.period, directorate_id=directorate_id)
    ]
    if q.format == "csv":
        return csv_response(
            f"exceptions-{found.period.key}",
            EXCEPTION_CSV,
            [
                [
                    (
                        "; ".join(row[k])
                        if isinstance(row[k], list)
                        else (iso(row[k]) if isinstance(row[k], datetime.date) else row[k])
                    )
                    for k in EXCEPTION_CSV
                ]
                for row in rows
            ],
        )
    return {"period": found.period.key, "period_label": found.period.label, "rows": rows}
