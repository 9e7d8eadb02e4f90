"""Read paths for the clinic pages, each a fixed number of queries whatever the number of rows."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import Http404

from clinics import trajectory
from clinics.models import Attendee, Clinic, ClinicEvent, RemedialAction, RemedialPlan, TrajectoryPoint
from clinics.services import visible_clinics
from indicators.charts import ChartSeries
from indicators.models import Target


def clinic_for(user, clinic_id: int) -> Clinic:
    """The clinic if the user may open it: 404 when there is none, 403 when it is not theirs."""
    clinic = (
        visible_clinics(user)
        .select_related(
            "requested_by",
            "source_period",
            "recorded_by",
            "review_closed_by",
            "source_action__plan__service",
            "source_risk__plan__service",
        )
        .prefetch_related(
            Prefetch("indicators", to_attr="indicator_list"),
            Prefetch("attendees", queryset=Attendee.objects.select_related("user"), to_attr="attendee_list"),
            Prefetch(
                "remedial_plans",
                queryset=RemedialPlan.objects.select_related("indicator", "owner"),
                to_attr="plan_list",
            ),
            Prefetch(
                "events",
                queryset=ClinicEvent.objects.select_related("by", "plan__indicator"),
                to_attr="event_list",
            ),
        )
        .filter(id=clinic_id)
        .first()
    )
    if clinic is None:
        if Clinic.objects.filter(id=clinic_id).exists():
            raise PermissionDenied("This clinic is not in your scope.")
        raise Http404("No such clinic.")
    clinic.indicator_list.sort(key=lambda i: i.reference)
    return clinic


def plan_for(user, plan_id: int) -> RemedialPlan:
    plan = (
        RemedialPlan.objects.filter(clinic__in=visible_clinics(user))
        .select_related(
            "indicator__portfolio",
            "indicator__service",
            "clinic",
            "owner",
            "member_signed_off_by",
            "cmt_signed_off_by",
            "closed_by",
        )
        .prefetch_related(
            Prefetch(
                "trajectory", queryset=TrajectoryPoint.objects.select_related("period"), to_attr="points"
            ),
            Prefetch(
                "actions",
                queryset=RemedialAction.objects.select_related("owner", "plan_action__plan"),
                to_attr="action_list",
            ),
            Prefetch("events", queryset=ClinicEvent.objects.select_related("by"), to_attr="event_list"),
        )
        .filter(id=plan_id)
        .first()
    )
    if plan is None:
        if RemedialPlan.objects.filter(id=plan_id).exists():
            raise PermissionDenied("This remedial plan is not in your scope.")
        raise Http404("No such remedial plan.")
    return plan


def clinic_lists(user) -> dict:
    """Open and held clinics and open remedial plans the user may see: three queries (+1 prefetch)."""
    clinics = list(
        visible_clinics(user)
        .exclude(status=Clinic.Status.CANCELLED)
        .select_related("requested_by")
        .prefetch_related(Prefetch("indicators", to_attr="indicator_list"))
        .order_by("date", "-requested_at")
    )
    plans = list(
        RemedialPlan.objects.filter(clinic__in=visible_clinics(user))
        .exclude(status=RemedialPlan.Status.CLOSED)
        .select_related("indicator", "owner")
        .order_by("-created_at")
    )
    return {
        "open_clinics": [c for c in clinics if c.is_open],
        "held_clinics": [c for c in clinics if c.status == Clinic.Status.HELD],
        "definition_reviews": [
            c for c in clinics if c.opens_definition_review and c.review_closed_at is None
        ],
        "open_plans": plans,
    }


def people():
    """Everyone with a role in the portal, for the chair, attendee and owner lists. One query."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, profile__isnull=False)
        .select_related("profile")
        .order_by("last_name", "first_name", "username")
    )


def trajectory_chart_series(sender, *, indicator, user, actuals, **kwargs) -> list[ChartSeries]:
    """The indicator chart's trajectory: the indicator's targets of kind "trajectory" (held by its
    signed-off remedial plans) whose plan the user may open, per plan, and the charted results
    off it. One query. Connected to `indicators.charts.chart_series_wanted` in ClinicsConfig.ready."""
    targets = list(
        Target.trajectories.filter(
            indicator=indicator,
            trajectory_point__plan__status=RemedialPlan.Status.SIGNED_OFF,
            trajectory_point__plan__clinic__in=visible_clinics(user),
        )
        .select_related("period")
        .annotate(plan_id=F("trajectory_point__plan_id"))
        .order_by("plan_id", "period__start")
    )
    by_plan: dict[int, list[Target]] = {}
    for target in targets:
        by_plan.setdefault(target.plan_id, []).append(target)
    several = len(by_plan) > 1
    series = []
    for plan_id, plan_targets in by_plan.items():
        name = "Remedial plan trajectory (expected)" + (f", plan {plan_id}" if several else "")
        flagged = [
            (t.period.end, actuals[t.period_id], t.period.label)
            for t in plan_targets
            if t.period_id in actuals
            and trajectory.judge(actuals[t.period_id], t.value, indicator.polarity) == trajectory.OFF
        ]
        series.append(
            ChartSeries(
                name=name,
                points=[(t.period.end, t.value, t.period.label) for t in plan_targets],
                description=(
                    "The orange long-dashed line with open squares is the remedial plan's expected "
                    "trajectory"
                    + (f" (plan {plan_id})" if several else "")
                    + "; a cross (✕) marks a result off it."
                ),
                flagged=flagged,
                flagged_name="Off trajectory",
            )
        )
    return series
