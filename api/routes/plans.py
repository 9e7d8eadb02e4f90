"""Service Improvement Plans with their actions (and monthly updates) and risks (and reviews),
read through `service_plans.selectors.visible_plans`, the pages' rule. Plans are never public."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from ninja import Query, Router, Schema

from api.common import paged, signed_in_user
from api.routes.indicators import Paging
from api.schemas import Page, Problem
from service_plans.models import Action, ActionUpdate, Plan, Risk, RiskReview
from service_plans.selectors import visible_plans

router = Router(tags=["Service Improvement Plans"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


class PlanOut(Schema):
    id: int
    service: str
    directorate: str
    financial_year: int
    years_covered: int
    status: str
    version: int
    portfolio: str | None
    updated_at: datetime.datetime
    path: str


class PlanPage(Page):
    items: list[PlanOut]


class ActionUpdateOut(Schema):
    month: datetime.date
    status: str
    percent_complete: int
    commentary: str
    written_at: datetime.datetime


class ActionOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    theme: str | None
    accountable_officer: str
    start_date: datetime.date
    due_date: datetime.date
    status: str
    percent_complete: int
    completed_on: datetime.date | None
    status_reason: str
    updates: list[ActionUpdateOut]


class RiskReviewOut(Schema):
    reviewed_on: datetime.date
    likelihood: int | None
    impact: int | None
    note: str


class RiskOut(Schema):
    id: int
    reference: str
    cause: str
    event: str
    consequence: str
    current_likelihood: int | None
    current_impact: int | None
    target_likelihood: int | None
    target_impact: int | None
    mitigation: str
    responsible_officer: str
    review_date: datetime.date | None
    escalation: str
    exempt: bool
    is_closed: bool
    reviews: list[RiskReviewOut]


class PlanDetailOut(PlanOut):
    staff_headcount: int | None
    staff_fte: Decimal | None
    budget: Decimal | None
    actions: list[ActionOut]
    risks: list[RiskOut]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _plan(p: Plan) -> dict:
    return {
        "id": p.id,
        "service": p.service.slug,
        "directorate": p.service.directorate.slug,
        "financial_year": p.financial_year,
        "years_covered": p.years_covered,
        "status": p.status,
        "version": p.version,
        "portfolio": p.portfolio.slug if p.portfolio else None,
        "updated_at": p.updated_at,
        "path": f"/api/v1/service-plans/{p.id}",
    }


@router.get("/service-plans", response={200: PlanPage, **ERRORS}, summary="Service Improvement Plans")
def plan_list(request, paging: Query[Paging]):
    user = signed_in_user(request)
    qs = (
        visible_plans(user)
        .select_related("service__directorate", "portfolio")
        .order_by("-financial_year", "service__directorate__name", "service__name", "id")
    )
    return paged(request, qs, paging.page, paging.page_size, _plan)


@router.get(
    "/service-plans/{plan_id}",
    response={200: PlanDetailOut, **ERRORS},
    summary="A plan with its actions and risks",
)
def plan_detail(request, plan_id: int):
    user = signed_in_user(request)
    plan = (
        visible_plans(user)
        .select_related("service__directorate", "portfolio")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("theme", "accountable_officer")
                .prefetch_related(
                    Prefetch(
                        "updates", queryset=ActionUpdate.objects.order_by("month"), to_attr="update_list"
                    )
                )
                .order_by("order", "id"),
                to_attr="action_list",
            ),
            Prefetch(
                "risks",
                queryset=Risk.objects.select_related("responsible_officer")
                .prefetch_related(
                    Prefetch(
                        "reviews", queryset=RiskReview.objects.order_by("reviewed_on"), to_attr="review_list"
                    )
                )
                .order_by("order", "id"),
                to_attr="risk_list",
            ),
        )
        .filter(id=plan_id)
        .first()
    )
    if plan is None:
        if Plan.objects.filter(id=plan_id).exists():
            raise PermissionDenied("This plan is outside your role's scope.")
        raise Http404("No such plan.")
    return {
        **_plan(plan),
        "staff_headcount": plan.staff_headcount,
        "staff_fte": plan.staff_fte,
        "budget": plan.budget,
        "actions": [
            {
                "id": a.id,
                "reference": a.reference,
                "title": a.title,
                "kind": a.kind,
                "theme": a.theme.slug if a.theme else None,
                "accountable_officer": _name(a.accountable_officer),
                "start_date": a.start_date,
                "due_date": a.due_date,
                "status": a.status,
                "percent_complete": a.percent_complete,
                "completed_on": a.completed_on,
                "status_reason": a.status_reason,
                "updates": [
                    {
                        "month": u.month,
                        "status": u.status,
                        "percent_complete": u.percent_complete,
                        "commentary": u.commentary,
                        "written_at": u.written_at,
                    }
                    for u in a.update_list
                ],
            }
            for a in plan.action_list
        ],
        "risks": [
            {
                "id": r.id,
                "reference": r.reference,
                "cause": r.cause,
                "event": r.event,
                "consequence": r.consequence,
                "current_likelihood": r.current_likelihood,
                "current_impact": r.current_impact,
                "target_likelihood": r.target_likelihood,
                "target_impact": r.target_impact,
                "mitigation": r.mitigation,
                "responsible_officer": _name(r.responsible_officer),
                "review_date": r.review_date,
                "escalation": r.escalation,
                "exempt": r.exempt,
                "is_closed": r.is_closed,
                "reviews": [
                    {
                        "reviewed_on": v.reviewed_on,
                        "likelihood": v.likelihood,
                        "impact": v.impact,
                        "note": v.note,
                    }
                    for v in r.review_list
                ],
            }
            for r in plan.risk_list
        ],
    }
