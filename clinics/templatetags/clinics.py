"""The clinics panel on the indicator page: the request button for those who may request, the
indicator's clinics the user may see, and its remedial plans with each result judged against the
trajectory. A template tag, so the indicator app (below this one) never imports clinics."""

from django import template
from django.db.models import F, Prefetch

from clinics import services
from clinics.models import Clinic, RemedialPlan, TrajectoryPoint

register = template.Library()


@register.inclusion_tag("clinics/includes/indicator_panel.html", takes_context=True)
def clinic_panel(context, indicator):
    """Three queries (clinics, plans with their trajectories, results), four for requesters."""
    user = context["request"].user
    if not user.is_authenticated:
        return {"show": False}
    clinics = list(
        services.visible_clinics(user)
        .filter(indicators=indicator)
        .exclude(status=Clinic.Status.CANCELLED)
        .order_by("-requested_at")
    )
    plans = (
        list(
            RemedialPlan.objects.filter(indicator=indicator, clinic__in=[c.id for c in clinics])
            .exclude(status=RemedialPlan.Status.CLOSED)
            .prefetch_related(
                Prefetch(
                    "trajectory", queryset=TrajectoryPoint.objects.select_related("period"), to_attr="points"
                )
            )
        )
        if clinics
        else []
    )
    tracked = [(plan, services.plan_tracking(plan, plan.points)) for plan in plans]
    board_ids = [b.id for b in indicator.boards.all()]
    may_request = services.may_request_for(user, indicator, board_ids)
    return {
        "show": bool(clinics or may_request),
        "indicator": indicator,
        "clinics": clinics,
        "tracked": tracked,
        "may_request": may_request,
    }


@register.inclusion_tag("clinics/includes/clinic_mark.html")
def clinic_mark(indicator):
    """Beside the indicator's title: a held clinic and a remedial plan in progress, as scorecards
    mark them (words and shape). One query. No links: the clinics panel lists those the user may open."""
    return {"mark": services.clinic_marks([indicator.id]).get(indicator.id), "links": False}


@register.inclusion_tag("clinics/includes/request_from_plan.html", takes_context=True)
def clinic_request_from(context, source, item, indicators):
    """On a Service Improvement Plan action or risk page: "Request a clinic" for its indicators,
    for those whose role requests clinics (each indicator is still checked on the form)."""
    from organisation import roles

    user = context["request"].user
    responsible = any(i.responsible_officer_id == user.id for i in indicators)
    return {
        "show": bool(indicators) and roles.may_request_clinics(user, responsible_for_any=responsible),
        "source": source,
        "item": item,
    }


@register.inclusion_tag("clinics/includes/open_clinics.html", takes_context=True)
def open_clinics_panel(context):
    """On the hub's and CMT's home page: the clinics requested or scheduled, soonest first, and the
    remedial plans awaiting sign-off. Three queries for them (clinics, their indicators, plans),
    none for anyone else."""
    from organisation import roles
    from organisation.models import Role

    user = context["request"].user
    if not roles.has_role(user, {Role.HUB, Role.CMT}):
        return {"show": False}
    clinics = list(
        Clinic.objects.filter(status__in=[Clinic.Status.REQUESTED, Clinic.Status.SCHEDULED])
        .prefetch_related("indicators")
        .order_by(F("date").asc(nulls_last=True), "-requested_at")[:50]
    )
    plans = list(
        RemedialPlan.objects.filter(status=RemedialPlan.Status.DRAFT)
        .select_related("indicator")
        .order_by("created_at")[:50]
    )
    return {"show": True, "clinics": clinics, "plans": plans}
