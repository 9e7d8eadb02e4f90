"""Performance clinics and remedial plans with their trajectories, read through
`clinics.selectors` (clinic_for, plan_for, visible_clinics): the pages' rule. Attendees' email
addresses only for the hub (`clinics.services.shows_contact_details`), as on the clinic page."""

import datetime
from decimal import Decimal

from django.db.models import Prefetch
from ninja import Query, Router, Schema

from api.common import paged, signed_in_user
from api.routes.indicators import Paging
from api.schemas import Page, Problem
from clinics.models import Clinic, RemedialPlan
from clinics.selectors import clinic_for, plan_for
from clinics.services import shows_contact_details, visible_clinics

router = Router(tags=["Clinics and remedial plans"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


class ClinicOut(Schema):
    id: int
    status: str
    urgency: str
    reason: str
    indicators: list[str]
    date: datetime.date | None
    place: str
    requested_at: datetime.datetime
    decision: str
    path: str


class ClinicPage(Page):
    items: list[ClinicOut]


class AttendeeOut(Schema):
    name: str
    role: str
    email: str | None  # the hub only


class PlanLink(Schema):
    id: int
    indicator: str
    status: str
    path: str


class ClinicDetailOut(ClinicOut):
    minutes: str
    decision_note: str
    attendees: list[AttendeeOut]
    remedial_plans: list[PlanLink]


class TrajectoryPointOut(Schema):
    period: str
    period_label: str
    expected: Decimal


class RemedialActionOut(Schema):
    description: str
    owner: str
    due: datetime.date
    progress: str
    progress_note: str


class RemedialPlanOut(Schema):
    id: int
    clinic: int
    indicator: str
    owner: str
    status: str
    monitoring: str
    monitoring_frequency: str
    recovery_criteria: str
    closure: str
    trajectory: list[TrajectoryPointOut]
    actions: list[RemedialActionOut]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _clinic(c: Clinic) -> dict:
    return {
        "id": c.id,
        "status": c.status,
        "urgency": c.urgency,
        "reason": c.reason,
        "indicators": sorted(i.reference for i in c.indicator_list),
        "date": c.date,
        "place": c.place,
        "requested_at": c.requested_at,
        "decision": c.decision,
        "path": f"/api/v1/clinics/{c.id}",
    }


@router.get("/clinics", response={200: ClinicPage, **ERRORS}, summary="Performance clinics")
def clinic_list(request, paging: Query[Paging]):
    user = signed_in_user(request)
    qs = (
        visible_clinics(user)
        .prefetch_related(Prefetch("indicators", to_attr="indicator_list"))
        .order_by("-requested_at", "id")
    )
    return paged(request, qs, paging.page, paging.page_size, _clinic)


@router.get("/clinics/{clinic_id}", response={200: ClinicDetailOut, **ERRORS}, summary="A clinic")
def clinic_detail(request, clinic_id: int):
    user = signed_in_user(request)
    clinic = clinic_for(user, clinic_id)
    contacts = shows_contact_details(user)
    return {
        **_clinic(clinic),
        "minutes": clinic.minutes,
        "decision_note": clinic.decision_note,
        "attendees": [
            {"name": a.display_name, "role": a.role, "email": a.address if contacts else None}
            for a in clinic.attendee_list
        ],
        "remedial_plans": [
            {
                "id": p.id,
                "indicator": p.indicator.reference,
                "status": p.status,
                "path": f"/api/v1/remedial-plans/{p.id}",
            }
            for p in clinic.plan_list
        ],
    }


@router.get(
    "/remedial-plans/{plan_id}",
    response={200: RemedialPlanOut, **ERRORS},
    summary="A remedial plan and its trajectory",
)
def remedial_plan(request, plan_id: int):
    user = signed_in_user(request)
    plan: RemedialPlan = plan_for(user, plan_id)
    return {
        "id": plan.id,
        "clinic": plan.clinic_id,
        "indicator": plan.indicator.reference,
        "owner": _name(plan.owner),
        "status": plan.status,
        "monitoring": plan.monitoring,
        "monitoring_frequency": plan.monitoring_frequency,
        "recovery_criteria": plan.recovery_criteria,
        "closure": plan.closure,
        "trajectory": [
            {"period": p.period.key, "period_label": p.period.label, "expected": p.expected}
            for p in sorted(plan.points, key=lambda p: p.period.start)
        ],
        "actions": [
            {
                "description": a.description,
                "owner": _name(a.owner),
                "due": a.due,
                "progress": a.progress,
                "progress_note": a.progress_note,
            }
            for a in plan.action_list
        ],
    }
