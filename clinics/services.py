"""Clinic and remedial-plan writes, with their permission checks, and the suggestions the exception
list shows. Every write is one transaction and leaves a `ClinicEvent` (who, when, what, why);
bad input raises `ValidationError` (a dict of messages by field) with nothing saved, and a user
without the right raises `PermissionDenied`.

For the exception list (reporting, above this app):

* `suggestions(period=None)` — plain dicts, one per indicator the portal suggests a clinic for
  as of `period` (default: every indicator's latest assessment), without those the hub already
  accepted or dismissed for that period. Keys: indicator_id, reference, title, period_id,
  period_label, reasons (rule codes of `clinics.rules`), reason_labels, request_url. Two queries.
* `request_url(references, period=None, reason="", source=...)` — the link to the request form
  pre-filled with the indicators, the period and the reason.
* `held_clinics_by_indicator(indicator_ids)` — {indicator id: [(clinic id, date)]}, one query.
* `clinic_marks(indicator_ids)` — {indicator id: ClinicMark} (held clinics, open clinic, remedial
  plan in progress), one query.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from clinics import invitations, rules, trajectory
from clinics.models import (
    Attendee,
    Clinic,
    ClinicEvent,
    RemedialAction,
    RemedialPlan,
    RequestSource,
    SuggestionDecision,
    TrajectoryPoint,
    Urgency,
)
from indicators.analytics.constants import MONTH, QUARTER, YEAR
from indicators.formatting import format_value
from indicators.models import Assessment, Indicator, Period, Result, Target
from indicators.periods import canonical_period_key, parse_period_key, period_key, period_starts_between
from indicators.services.periods import ensure_periods
from organisation import roles
from organisation.models import Role
from service_plans.models import Action as ServicePlanAction
from service_plans.models import Plan as ServicePlan
from service_plans.models import Risk as ServicePlanRisk
from service_plans.services import action_save as _add_service_plan_action
from service_plans.services import plan_rights

FREQUENCY_KIND = {"monthly": MONTH, "quarterly": QUARTER, "annual": YEAR}
MIN_TEXT = 10
SUGGESTION_WINDOW_DAYS = 800  # two financial years and a bit: enough for every rule


def period_from_key(raw: str) -> Period | None:
    """The period a URL names (`indicators.periods` keys; earlier forms are read too)."""
    parsed = parse_period_key(canonical_period_key(raw))
    if parsed is None:
        return None
    kind, start = parsed
    return Period.objects.filter(kind=kind, start=start).first()


def _text(value: str, field: str, message: str, errors: dict) -> str:
    value = (value or "").strip()
    if len(value) < MIN_TEXT or not any(ch.isalpha() for ch in value):
        errors.setdefault(field, []).append(message)
    return value


def _event(clinic, action: str, user, note: str = "", plan=None) -> None:
    ClinicEvent.objects.create(
        clinic=clinic, plan=plan, action=action, note=note, by=_actor(user), at=timezone.now()
    )


def _actor(user):
    return user if user is not None and user.is_authenticated else None


# --- Requests ------------------------------------------------------------------------------------


def may_request_for(user, indicator: Indicator, board_ids=()) -> bool:
    return roles.may_request_clinic(
        user,
        service_id=indicator.service_id,
        directorate_id=indicator.service.directorate_id,
        board_ids=board_ids,
        responsible_officer_id=indicator.responsible_officer_id,
    )


def requestable_indicators(user, references) -> tuple[list[Indicator], list[str]]:
    """The indicators (by reference) the user may request a clinic for, and the references refused
    (unknown, out of scope or not theirs to request)."""
    from indicators.access import visible_indicators

    wanted = [r.strip() for r in references if r and r.strip()]
    found = {
        i.reference: i
        for i in visible_indicators(user)
        .filter(reference__in=wanted)
        .select_related("service")
        .prefetch_related("boards")
    }
    allowed, refused = [], []
    for reference in dict.fromkeys(wanted):
        indicator = found.get(reference)
        if indicator and may_request_for(user, indicator, [b.id for b in indicator.boards.all()]):
            allowed.append(indicator)
        else:
            refused.append(reference)
    return allowed, refused


@transaction.atomic
def clinic_request(
    *,
    user,
    references: list[str],
    reason: str,
    urgency: str,
    source: str = RequestSource.INDICATOR,
    period: Period | None = None,
    source_id: int | None = None,
) -> Clinic:
    """Request a clinic. From a Service Improvement Plan action or risk (`source` plan_action or
    risk, `source_id` its id) the clinic records where it came from; the requester must be able to
    read that plan."""
    errors: dict[str, list[str]] = {}
    source_action, source_risk = _request_source(user, source, source_id, errors)
    indicators, refused = requestable_indicators(user, references)
    if refused and not indicators and Indicator.objects.filter(reference__in=refused).exists():
        raise PermissionDenied("You may not request a clinic for these indicators.")
    if refused:
        errors.setdefault("indicators", []).append(
            f"You may not request a clinic for {', '.join(refused[:5])}: check the references."
        )
    if not indicators and not refused:
        errors.setdefault("indicators", []).append("Choose at least one indicator for the clinic.")
    reason = _text(
        reason, "reason", "Say why the clinic is needed, in a sentence (at least 10 characters).", errors
    )
    if urgency not in Urgency.values:
        errors.setdefault("urgency", []).append("Choose how urgent the clinic is.")
    if source not in RequestSource.values:
        source = RequestSource.OTHER
    if errors:
        raise ValidationError(errors)
    clinic = Clinic.objects.create(
        reason=reason,
        urgency=urgency,
        source=source,
        source_period=period,
        source_action=source_action,
        source_risk=source_risk,
        requested_by=_actor(user),
        requested_at=timezone.now(),
    )
    clinic.indicators.set(indicators)
    _event(clinic, "requested", user, reason)
    return clinic


def plan_source(user, source: str, source_id: int | None):
    """The plan action or risk a request comes from, if the user may read its plan: None when
    there is none such, PermissionDenied when its plan is outside the user's scope. One query."""
    model = {RequestSource.PLAN_ACTION: ServicePlanAction, RequestSource.RISK: ServicePlanRisk}.get(source)
    if model is None or source_id is None:
        return None
    found = (
        model.objects.select_related("plan__service__directorate")
        .prefetch_related("outcome_indicators" if model is ServicePlanAction else "indicators")
        .filter(id=source_id)
        .first()
    )
    if found is not None and not plan_rights(user, found.plan).read:
        raise PermissionDenied("That Service Improvement Plan is outside your scope.")
    return found


def _request_source(user, source, source_id, errors) -> tuple:
    if source not in (RequestSource.PLAN_ACTION, RequestSource.RISK):
        return None, None
    found = plan_source(user, source, source_id)
    if found is None:
        errors.setdefault("indicators", []).append(
            "The plan action or risk this request came from no longer exists: request from the indicator instead."
        )
        return None, None
    return (found, None) if source == RequestSource.PLAN_ACTION else (None, found)


def request_url(references, period=None, reason: str = "", source: str = RequestSource.EXCEPTION_LIST) -> str:
    query = [("indicator", r) for r in references]
    if period is not None:
        query.append(("period", period.key))
    if reason:
        query.append(("reason", reason))
    query.append(("source", source))
    return f"{reverse('clinics:request')}?{urlencode(query)}"


# --- Suggestions ---------------------------------------------------------------------------------


def suggestions(period: Period | None = None, *, include_decided: bool = False) -> list[dict]:
    """Indicators the portal suggests a clinic for (see `clinics.rules`), as plain dicts. Two queries."""
    assessments = Assessment.objects.filter(indicator__is_active=True)
    if period is not None:
        assessments = assessments.filter(period__end__lte=period.end)
        cutoff = period.end
    else:
        cutoff = None
    rows = list(
        assessments.values(
            "indicator_id",
            "indicator__reference",
            "indicator__title",
            "indicator__frequency",
            "period_id",
            "period__kind",
            "period__start",
            "period__end",
            "period__label",
            "rag",
            "direction",
            "variation",
            "forecast_rag",
        ).order_by("indicator__reference", "period__start")
    )
    by_indicator: dict[int, list[dict]] = {}
    for row in rows:
        if FREQUENCY_KIND.get(row["indicator__frequency"]) == row["period__kind"]:
            by_indicator.setdefault(row["indicator_id"], []).append(row)
    found = []
    for series in by_indicator.values():
        latest = series[-1]
        window_start = (cutoff or latest["period__end"]) - datetime.timedelta(days=SUGGESTION_WINDOW_DAYS)
        points = [
            rules.Point(r["period__start"], r["rag"], r["direction"], r["variation"], r["forecast_rag"])
            for r in series
            if r["period__start"] >= window_start
        ]
        reasons = rules.suggestion_reasons(points)
        if reasons:
            found.append(
                {
                    "indicator_id": latest["indicator_id"],
                    "reference": latest["indicator__reference"],
                    "title": latest["indicator__title"],
                    "period_id": latest["period_id"],
                    "period_label": latest["period__label"],
                    "period_key": period_key(latest["period__kind"], latest["period__start"]),
                    "reasons": reasons,
                    "reason_labels": [rules.RULE_LABELS[r] for r in reasons],
                }
            )
    decided = {
        (d.indicator_id, d.period_id): d
        for d in SuggestionDecision.objects.filter(
            indicator_id__in=[s["indicator_id"] for s in found]
        ).select_related("decided_by")
    }
    result = []
    for suggestion in found:
        decision = decided.get((suggestion["indicator_id"], suggestion["period_id"]))
        if decision and not include_decided:
            continue
        reason = "Clinic suggested: " + "; ".join(suggestion["reason_labels"]).lower() + "."
        suggestion["request_url"] = f"{reverse('clinics:request')}?" + urlencode(
            [
                ("indicator", suggestion["reference"]),
                ("period", suggestion["period_key"]),
                ("reason", reason),
                ("source", RequestSource.SUGGESTION),
            ]
        )
        suggestion["decision"] = decision
        result.append(suggestion)
    return result


@transaction.atomic
def suggestion_decide(
    *, user, reference: str, period: Period | None, outcome: str, note: str
) -> SuggestionDecision:
    """The hub accepts (a clinic is requested, with the note as its reason) or dismisses a suggestion."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub decides on suggested clinics.")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", "Write a note saying why, in a sentence (at least 10 characters).", errors)
    if outcome not in SuggestionDecision.Outcome.values:
        errors.setdefault("outcome", []).append("Choose to accept or dismiss the suggestion.")
    indicator = Indicator.objects.filter(reference=reference).first()
    current = None
    if indicator is not None and period is not None:
        current = next(
            (
                s
                for s in suggestions(period)
                if s["indicator_id"] == indicator.id and s["period_id"] == period.id
            ),
            None,
        )
    if current is None:
        errors.setdefault("note", []).append(
            "That clinic is no longer suggested, or was already accepted or dismissed."
        )
    if errors:
        raise ValidationError(errors)
    clinic = None
    if outcome == SuggestionDecision.Outcome.ACCEPTED:
        clinic = clinic_request(
            user=user,
            references=[reference],
            reason=f"{note} ({'; '.join(current['reason_labels'])})",
            urgency=Urgency.SOON,
            source=RequestSource.SUGGESTION,
            period=period,
        )
    decision = SuggestionDecision.objects.create(
        indicator=indicator,
        period=period,
        reasons=current["reasons"],
        outcome=outcome,
        note=note,
        clinic=clinic,
        decided_by=_actor(user),
        decided_at=timezone.now(),
    )
    return decision


# --- Schedule, invitations, cancellation ----------------------------------------------------------


@dataclass
class AttendeeInput:
    role: str
    user_id: int | None = None
    name: str = ""
    email: str = ""


def _references(clinic) -> list[str]:
    return [i.reference for i in clinic.indicators.all()]


@transaction.atomic
def clinic_schedule(
    *,
    user,
    clinic: Clinic,
    date: datetime.date | None,
    start_time: datetime.time | None,
    end_time: datetime.time | None,
    place: str,
    chair_id: int | None,
    attendees: list[AttendeeInput],
) -> int:
    """Set (or move) the clinic's date, time, place, chair and attendees and email the invitations
    (an update when it is moved). Returns how many emails were sent."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub schedules clinics.")
    errors: dict[str, list[str]] = {}
    if not clinic.is_open:
        raise ValidationError({"date": ["This clinic has been held or cancelled: it cannot be scheduled."]})
    if date is None:
        errors.setdefault("date", []).append("Enter the date of the clinic.")
    elif date < timezone.localdate():
        errors.setdefault("date", []).append("The clinic's date must be today or in the future.")
    if start_time is None:
        errors.setdefault("start_time", []).append("Enter the time the clinic starts, such as 14:00.")
    if start_time and end_time and end_time <= start_time:
        errors.setdefault("end_time", []).append("The clinic must end after it starts.")
    place = (place or "").strip()
    if not place:
        errors.setdefault("place", []).append("Enter where the clinic is held.")
    User = get_user_model()  # noqa: N806
    user_ids = {a.user_id for a in attendees if a.user_id} | ({chair_id} if chair_id else set())
    known = {u.id: u for u in User.objects.filter(id__in=user_ids, is_active=True)}
    if not chair_id or chair_id not in known:
        errors.setdefault("chair", []).append("Choose the chair of the clinic.")
    rows = []
    for number, attendee in enumerate(attendees, start=1):
        if attendee.role not in Attendee.ClinicRole.values or attendee.role == Attendee.ClinicRole.CHAIR:
            errors.setdefault("attendees", []).append(f"Attendee {number}: choose their role at the clinic.")
            continue
        if attendee.user_id:
            if attendee.user_id not in known:
                errors.setdefault("attendees", []).append(
                    f"Attendee {number}: choose someone with an account."
                )
                continue
            rows.append(Attendee(user=known[attendee.user_id], role=attendee.role))
        else:
            name, email = attendee.name.strip(), attendee.email.strip()
            if not name or not email or "@" not in email:
                errors.setdefault("attendees", []).append(
                    f"Attendee {number}: a person without an account needs a name and an email address."
                )
                continue
            rows.append(Attendee(name=name, email=email, role=attendee.role))
    if errors:
        raise ValidationError(errors)
    moved = clinic.status == Clinic.Status.SCHEDULED
    if moved:
        clinic.sequence += 1
    clinic.date, clinic.start_time, clinic.end_time, clinic.place = date, start_time, end_time, place
    clinic.status = Clinic.Status.SCHEDULED
    clinic.save()
    clinic.attendees.all().delete()
    Attendee.objects.create(clinic=clinic, user=known[chair_id], role=Attendee.ClinicRole.CHAIR)
    for row in rows:
        row.clinic = clinic
    Attendee.objects.bulk_create(rows)
    _event(
        clinic,
        "moved" if moved else "scheduled",
        user,
        f"{date:%-d %B %Y} {start_time:%H:%M}, {place}",
    )
    everyone = list(clinic.attendees.select_related("user"))
    references = _references(clinic)
    return invitations.send_invitations(clinic, everyone, references, method=invitations.REQUEST)


@transaction.atomic
def clinic_cancel(*, user, clinic: Clinic, reason: str) -> int:
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub cancels clinics.")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", "Say why the clinic is cancelled (at least 10 characters).", errors)
    if not clinic.is_open:
        errors.setdefault("reason", []).append("This clinic has already been held or cancelled.")
    if errors:
        raise ValidationError(errors)
    was_scheduled = clinic.status == Clinic.Status.SCHEDULED
    clinic.status = Clinic.Status.CANCELLED
    clinic.cancelled_reason = reason
    clinic.sequence += 1
    clinic.save()
    _event(clinic, "cancelled", user, reason)
    if not was_scheduled:
        return 0
    everyone = list(clinic.attendees.select_related("user"))
    return invitations.send_invitations(
        clinic, everyone, _references(clinic), method=invitations.CANCEL, note=reason
    )


# --- The pack and the record -------------------------------------------------------------------


def clinic_pack(clinic: Clinic) -> dict:
    """The pack: for each indicator its assessed results (with target, RAG, direction, variation,
    limits and year-end forecast), its assurance and latest commentary. Frozen (stored on the
    clinic) when the clinic is held; until then built from the current assessments."""
    if clinic.status == Clinic.Status.HELD and clinic.pack:
        return clinic.pack
    indicators = list(clinic.indicators.select_related("service__directorate").order_by("reference"))
    assessments = (
        Assessment.objects.filter(indicator__in=indicators)
        .select_related("period")
        .order_by("indicator_id", "period__start")
    )
    commentary = {
        (r["indicator_id"], r["period_id"]): r["commentary"]
        for r in Result.objects.filter(indicator__in=indicators, status=Result.Status.APPROVED)
        .exclude(commentary="")
        .values("indicator_id", "period_id", "commentary")
    }
    kinds = {i.id: FREQUENCY_KIND.get(i.frequency) for i in indicators}
    series: dict[int, list] = {}
    for a in assessments:
        if kinds[a.indicator_id] != a.period.kind:
            continue
        series.setdefault(a.indicator_id, []).append(a)
    pack = {"built_at": timezone.now().isoformat(), "indicators": []}
    for indicator in indicators:
        rows = series.get(indicator.id, [])[-24:]
        latest = rows[-1] if rows else None
        latest_comment = next(
            (
                commentary[(indicator.id, a.period_id)]
                for a in reversed(rows)
                if (indicator.id, a.period_id) in commentary
            ),
            "",
        )
        pack["indicators"].append(
            {
                "reference": indicator.reference,
                "title": indicator.title,
                "service": indicator.service.name,
                "polarity": indicator.polarity_label,
                # How its figures are written (`figure` filter); packs built before lack them.
                "unit": indicator.unit,
                "decimal_places": indicator.decimal_places,
                "assurance": latest.get_assurance_display() if latest and latest.assurance else "",
                "variation": latest.get_variation_display() if latest and latest.variation else "",
                "direction": latest.direction_label if latest else "",
                "forecast": (
                    {
                        "value": str(latest.forecast_value),
                        "rag": latest.forecast_rag,
                        "method": latest.get_forecast_method_display(),
                    }
                    if latest and latest.forecast_value is not None
                    else None
                ),
                "commentary": latest_comment,
                "rows": [
                    {
                        "period": a.period.label,
                        "value": str(a.value),
                        "target": None if a.target is None else str(a.target),
                        "rag": a.rag,
                        "direction": a.direction,
                        "lower_limit": None if a.lower_limit is None else str(a.lower_limit),
                        "upper_limit": None if a.upper_limit is None else str(a.upper_limit),
                    }
                    for a in rows
                ],
            }
        )
    return pack


@transaction.atomic
def clinic_record(
    *,
    user,
    clinic: Clinic,
    minutes: str,
    answer_targets: str,
    answer_turnaround: str,
    answer_resources: str,
    decision: str,
    decision_note: str = "",
    monitor_monthly_until: datetime.date | None = None,
) -> Clinic:
    """Record the clinic as held: minutes, the answer to each guiding question and the decision.
    The pack is frozen now."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub records clinics.")
    errors: dict[str, list[str]] = {}
    if clinic.status != Clinic.Status.SCHEDULED:
        errors.setdefault("minutes", []).append("Only a scheduled clinic can be recorded as held.")
    minutes = _text(minutes, "minutes", "Enter the minutes of the clinic (at least 10 characters).", errors)
    answers = {}
    for field, value in (
        ("answer_targets", answer_targets),
        ("answer_turnaround", answer_turnaround),
        ("answer_resources", answer_resources),
    ):
        answers[field] = _text(value, field, "Answer this question (at least 10 characters).", errors)
    if decision not in Clinic.Decision.values:
        errors.setdefault("decision", []).append("Choose the clinic's decision.")
    decision_note = (decision_note or "").strip()
    if decision == Clinic.Decision.MISLEADING and len(decision_note) < MIN_TEXT:
        errors.setdefault("decision_note", []).append(
            "Say why the indicator is misleading: the hub reviews its definition with this reason."
        )
    if decision == Clinic.Decision.MORE_FREQUENT_UPDATES:
        if monitor_monthly_until is None:
            errors.setdefault("monitor_monthly_until", []).append(
                "Enter the date until which the indicator is reported monthly."
            )
        elif clinic.date and monitor_monthly_until <= clinic.date:
            errors.setdefault("monitor_monthly_until", []).append(
                "Monthly reporting must run until a date after the clinic."
            )
    else:
        monitor_monthly_until = None
    if errors:
        raise ValidationError(errors)
    clinic.pack = clinic_pack(clinic)
    clinic.status = Clinic.Status.HELD
    clinic.held_at = timezone.now()
    clinic.recorded_by = _actor(user)
    clinic.minutes = minutes
    clinic.answer_targets = answers["answer_targets"]
    clinic.answer_turnaround = answers["answer_turnaround"]
    clinic.answer_resources = answers["answer_resources"]
    clinic.decision = decision
    clinic.decision_note = decision_note
    clinic.monitor_monthly_until = monitor_monthly_until
    clinic.save()
    _event(
        clinic, "held", user, clinic.get_decision_display() + (f": {decision_note}" if decision_note else "")
    )
    return clinic


@transaction.atomic
def definition_review_close(*, user, clinic: Clinic, outcome: str) -> Clinic:
    """The hub closes the definition review a clinic opened by finding its indicator misleading,
    saying what it decided (the definition changed, or kept and why)."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub closes definition reviews.")
    clinic = Clinic.objects.select_for_update().get(id=clinic.id)
    errors: dict[str, list[str]] = {}
    if not clinic.opens_definition_review:
        errors.setdefault("review_outcome", []).append(
            "Only a held clinic that found its indicator misleading has a definition review."
        )
    elif clinic.review_closed_at is not None:
        errors.setdefault("review_outcome", []).append("This definition review is already closed.")
    outcome = _text(
        outcome,
        "review_outcome",
        "Say what the review decided, such as the definition changed or kept and why (at least 10 characters).",
        errors,
    )
    if errors:
        raise ValidationError(errors)
    clinic.review_closed_at, clinic.review_closed_by = timezone.now(), _actor(user)
    clinic.review_outcome = outcome
    clinic.save(update_fields=["review_closed_at", "review_closed_by", "review_outcome"])
    _event(clinic, "definition_review_closed", user, outcome)
    return clinic


# --- Remedial plans ------------------------------------------------------------------------------


ADD_TO_SERVICE_PLAN = "new"  # an action's `plan_action`: add it to the service's plan as a new action


@dataclass
class ActionInput:
    description: str = ""
    owner_id: int | None = None
    due: datetime.date | None = None
    # "" (not in the Service Improvement Plan), ADD_TO_SERVICE_PLAN, or an existing plan action's id.
    plan_action: str = ""


def linkable_plan_actions(indicator: Indicator) -> list[ServicePlanAction]:
    """The actions of the indicator's service's plans a remedial action may be: those still to do
    (not completed or cancelled), newest plan first. One query."""
    return list(
        ServicePlanAction.objects.filter(plan__service_id=indicator.service_id)
        .exclude(status__in=[ServicePlanAction.Status.COMPLETED, ServicePlanAction.Status.CANCELLED])
        .select_related("plan")
        .order_by("-plan__financial_year", "order", "reference")
    )


def service_plan_for_new_actions(indicator: Indicator) -> ServicePlan | None:
    """The service's latest plan that takes edits (draft or signed off): where a remedial action
    added to the service's plan goes."""
    return (
        ServicePlan.objects.filter(
            service_id=indicator.service_id,
            status__in=[ServicePlan.Status.DRAFT, ServicePlan.Status.SIGNED_OFF],
        )
        .order_by("-financial_year")
        .first()
    )


def trajectory_periods(indicator: Indicator, after: datetime.date, count: int = 12) -> list[datetime.date]:
    """The starts of the `count` periods of the indicator's frequency after the one containing `after`."""
    kind = FREQUENCY_KIND[indicator.frequency]
    step = {MONTH: 31, QUARTER: 92, YEAR: 366}[kind]
    starts = period_starts_between(kind, after, after + datetime.timedelta(days=step * (count + 1)))
    return starts[1 : count + 1]


def parse_decimal(raw: str) -> Decimal | None:
    text = (raw or "").strip().replace(",", "").rstrip("%")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    return value


@dataclass
class _PlanContent:
    owners: dict
    monitoring: str
    recovery_criteria: str
    trajectory_starts: list
    actions: list


def _plan_content(
    errors: dict,
    *,
    indicator: Indicator,
    owner_id: int | None,
    monitoring: str,
    monitoring_frequency: str,
    recovery_criteria: str,
    trajectory_values: dict[datetime.date, Decimal],
    recovery_start: datetime.date | None,
    offered_starts: list[datetime.date],
    actions: list[ActionInput],
) -> _PlanContent:
    """Check what a remedial plan says (a new one or a revised one): owner, monitoring, recovery
    criteria, the trajectory (no gap, within the plausible range) and the actions (at least one,
    each with an owner and a date). Adds messages by the field to `errors`."""
    User = get_user_model()  # noqa: N806
    owner_ids = {owner_id} | {a.owner_id for a in actions if a.owner_id}
    known = {u.id: u for u in User.objects.filter(id__in=[i for i in owner_ids if i], is_active=True)}
    if not owner_id or owner_id not in known:
        errors.setdefault("owner", []).append("Choose the plan's owner.")
    monitoring = _text(
        monitoring, "monitoring", "Say how the recovery will be monitored (at least 10 characters).", errors
    )
    if monitoring_frequency not in RemedialPlan.Frequency.values:
        errors.setdefault("monitoring_frequency", []).append("Choose how often the recovery is monitored.")
    recovery_criteria = _text(
        recovery_criteria,
        "recovery_criteria",
        "Say when the plan counts as recovered and can be closed (at least 10 characters).",
        errors,
    )
    # Trajectory: every offered period up to the recovery date, no gap, within the plausible range.
    if recovery_start is None or recovery_start not in offered_starts:
        errors.setdefault("recovery", []).append("Choose the period by which performance should recover.")
        expected_starts = []
    else:
        expected_starts = [s for s in offered_starts if s <= recovery_start]
    given = sorted(s for s in trajectory_values if not expected_starts or s <= expected_starts[-1])
    beyond = [s for s in trajectory_values if expected_starts and s > expected_starts[-1]]
    if beyond:
        errors.setdefault("trajectory", []).append(
            "Expected results after the recovery period were entered: move the recovery period or clear them."
        )
    if expected_starts:
        problems = trajectory.trajectory_problems(
            given,
            expected_starts,
            [trajectory_values[s] for s in given],
            plausible_min=indicator.plausible_min,
            plausible_max=indicator.plausible_max,
            shown=lambda n: format_value(n, indicator.decimal_places, indicator.unit),
        )
        if indicator.unit == "percentage" and any(not (0 <= trajectory_values[s] <= 100) for s in given):
            problems.append("A percentage trajectory must stay between 0 and 100.")
        for problem in problems:
            errors.setdefault("trajectory", []).append(problem)
    # Actions: at least one, each with a description, an owner and a date; a link to the service's
    # plan must be one of its actions still to do, and adding one needs a plan that takes edits.
    complete = []
    linkable = None
    for number, action in enumerate(actions, start=1):
        description = (action.description or "").strip()
        if not description and not action.owner_id and not action.due:
            continue
        if not description or not action.owner_id or action.owner_id not in known or not action.due:
            errors.setdefault("actions", []).append(
                f"Action {number}: enter what will be done, choose its owner and enter its date."
            )
            continue
        if action.plan_action and action.plan_action != ADD_TO_SERVICE_PLAN:
            if linkable is None:
                linkable = {str(a.id) for a in linkable_plan_actions(indicator)}
            if action.plan_action not in linkable:
                errors.setdefault("actions", []).append(
                    f"Action {number}: choose an action of {indicator.service}'s Service Improvement Plan "
                    "that is still to do."
                )
                continue
        complete.append(action)
    if any(a.plan_action == ADD_TO_SERVICE_PLAN for a in complete):
        if service_plan_for_new_actions(indicator) is None:
            errors.setdefault("actions", []).append(
                f"{indicator.service} has no Service Improvement Plan open for edits to add an action to: "
                "link an existing action or leave it out of the plan."
            )
    if not complete and "actions" not in errors:
        errors.setdefault("actions", []).append("A remedial plan needs at least one action with an owner.")
    return _PlanContent(known, monitoring, recovery_criteria, given, complete)


def _write_plan_parts(plan, indicator, content: _PlanContent, trajectory_values, user) -> None:
    kind = FREQUENCY_KIND[indicator.frequency]
    periods = ensure_periods([(kind, s) for s in content.trajectory_starts])
    TrajectoryPoint.objects.bulk_create(
        TrajectoryPoint(plan=plan, period=periods[(kind, s)], expected=trajectory_values[s])
        for s in content.trajectory_starts
    )
    RemedialAction.objects.bulk_create(
        RemedialAction(
            plan=plan,
            description=a.description.strip(),
            owner=content.owners[a.owner_id],
            due=a.due,
            plan_action_id=_plan_action_id(plan, indicator, a, content.owners[a.owner_id], user),
        )
        for a in content.actions
    )


def _plan_action_id(plan, indicator, action: ActionInput, owner, user) -> int | None:
    """The Service Improvement Plan action a remedial action is: the one chosen, or a new one added
    to the service's plan through its own audited service (its change log says why)."""
    if action.plan_action != ADD_TO_SERVICE_PLAN:
        return int(action.plan_action) if action.plan_action else None
    service_plan = service_plan_for_new_actions(indicator)
    taken = set(service_plan.actions.values_list("reference", flat=True))
    number = 1
    while f"{indicator.reference}-R{number}" in taken:
        number += 1
    today = timezone.localdate()
    try:
        added = _add_service_plan_action(
            user=user,
            plan_id=service_plan.id,
            action_id=None,
            data={
                "reference": f"{indicator.reference}-R{number}",
                "title": action.description.strip(),
                "kind": ServicePlanAction.Kind.BAU,
                "accountable_officer": owner,
                "start_date": min(today, action.due),
                "due_date": action.due,
                "frequency": ServicePlanAction.Frequency.MONTHLY,
            },
            indicators=[indicator],
            reason=f"Remedial plan for {indicator.reference}, agreed at clinic {plan.clinic_id}.",
        )
    except ValidationError as error:  # e.g. the service's plan went into review meanwhile
        raise ValidationError(
            {"actions": [f"The service's plan did not take the action: {m}" for m in error.messages]}
        ) from None
    return added.id


@transaction.atomic
def remedial_plan_create(
    *,
    user,
    clinic: Clinic,
    indicator: Indicator,
    owner_id: int | None,
    monitoring: str,
    monitoring_frequency: str,
    delivery_plan_changes: str,
    recovery_criteria: str,
    trajectory_values: dict[datetime.date, Decimal],
    recovery_start: datetime.date | None,
    offered_starts: list[datetime.date],
    actions: list[ActionInput],
) -> RemedialPlan:
    """Agree a remedial plan at a held clinic (a draft until the Executive Member and CMT sign it off)."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub records remedial plans.")
    errors: dict[str, list[str]] = {}
    if clinic.status != Clinic.Status.HELD or clinic.decision != Clinic.Decision.REMEDIAL_PLAN:
        errors.setdefault("monitoring", []).append(
            "A remedial plan is agreed at a held clinic whose decision was a remedial plan."
        )
    if not clinic.indicators.filter(id=indicator.id).exists():
        errors.setdefault("monitoring", []).append("That indicator was not discussed at this clinic.")
    elif RemedialPlan.objects.filter(clinic=clinic, indicator=indicator).exists():
        errors.setdefault("monitoring", []).append(
            "This clinic already has a remedial plan for that indicator."
        )
    content = _plan_content(
        errors,
        indicator=indicator,
        owner_id=owner_id,
        monitoring=monitoring,
        monitoring_frequency=monitoring_frequency,
        recovery_criteria=recovery_criteria,
        trajectory_values=trajectory_values,
        recovery_start=recovery_start,
        offered_starts=offered_starts,
        actions=actions,
    )
    if errors:
        raise ValidationError(errors)
    plan = RemedialPlan.objects.create(
        clinic=clinic,
        indicator=indicator,
        owner=content.owners[owner_id],
        monitoring=content.monitoring,
        monitoring_frequency=monitoring_frequency,
        delivery_plan_changes=(delivery_plan_changes or "").strip(),
        recovery_criteria=content.recovery_criteria,
        created_by=_actor(user),
        created_at=timezone.now(),
    )
    _write_plan_parts(plan, indicator, content, trajectory_values, user)
    _event(clinic, "plan_drafted", user, f"Remedial plan for {indicator.reference}", plan=plan)
    return plan


@transaction.atomic
def remedial_plan_revise(
    *,
    user,
    plan: RemedialPlan,
    owner_id: int | None,
    monitoring: str,
    monitoring_frequency: str,
    delivery_plan_changes: str,
    recovery_criteria: str,
    trajectory_values: dict[datetime.date, Decimal],
    recovery_start: datetime.date | None,
    offered_starts: list[datetime.date],
    actions: list[ActionInput],
    note: str,
) -> RemedialPlan:
    """The hub edits a returned plan and sends it back for sign-off: the plan's content is checked
    as when it was agreed, its trajectory and actions are replaced, and it is a draft again (both
    sign-offs are needed anew). The note says what changed; the history keeps the return and this."""
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub revises remedial plans.")
    plan = _plan_for_update(plan.id)
    errors: dict[str, list[str]] = {}
    if plan.status != RemedialPlan.Status.RETURNED:
        errors.setdefault("note", []).append("Only a returned plan can be revised and resubmitted.")
    note = _text(
        note, "note", "Say what changed since the plan was returned (at least 10 characters).", errors
    )
    content = _plan_content(
        errors,
        indicator=plan.indicator,
        owner_id=owner_id,
        monitoring=monitoring,
        monitoring_frequency=monitoring_frequency,
        recovery_criteria=recovery_criteria,
        trajectory_values=trajectory_values,
        recovery_start=recovery_start,
        offered_starts=offered_starts,
        actions=actions,
    )
    if errors:
        raise ValidationError(errors)
    plan.owner = content.owners[owner_id]
    plan.monitoring, plan.monitoring_frequency = content.monitoring, monitoring_frequency
    plan.delivery_plan_changes = (delivery_plan_changes or "").strip()
    plan.recovery_criteria = content.recovery_criteria
    plan.status = RemedialPlan.Status.DRAFT
    plan.save()
    plan.trajectory.all().delete()
    plan.actions.all().delete()
    _write_plan_parts(plan, plan.indicator, content, trajectory_values, user)
    _event(plan.clinic, "plan_revised", user, note, plan=plan)
    return plan


def _plan_for_update(plan_id: int) -> RemedialPlan:
    return RemedialPlan.objects.select_for_update().select_related("indicator", "clinic").get(id=plan_id)


@transaction.atomic
def remedial_plan_sign_off(*, user, plan: RemedialPlan, stage: str) -> RemedialPlan:
    plan = _plan_for_update(plan.id)
    if not roles.may_sign_off_remedial_plan(user, stage, portfolio_id=plan.indicator.portfolio_id):
        raise PermissionDenied(
            "Remedial plans are signed off by the Executive Member for the indicator's portfolio and by CMT."
        )
    if plan.status != RemedialPlan.Status.DRAFT:
        raise ValidationError({"stage": ["Only a draft plan can be signed off."]})
    now = timezone.now()
    if stage == "member":
        if plan.member_signed_off_at:
            raise ValidationError({"stage": ["The Executive Member has already signed this plan off."]})
        plan.member_signed_off_by, plan.member_signed_off_at = user, now
    else:
        if plan.cmt_signed_off_at:
            raise ValidationError({"stage": ["CMT has already signed this plan off."]})
        plan.cmt_signed_off_by, plan.cmt_signed_off_at = user, now
    if plan.is_signed_off:
        plan.status = RemedialPlan.Status.SIGNED_OFF
    plan.save()
    if plan.is_signed_off:
        hold_trajectory(plan, user)
    _event(plan.clinic, f"signed_off_{stage}", user, plan=plan)
    return plan


@transaction.atomic  # locks the trajectory targets it takes over (PostgreSQL needs a transaction)
def hold_trajectory(plan: RemedialPlan, user) -> None:
    """The signed-off plan's trajectory becomes the indicator's targets of kind "trajectory".

    One trajectory target per indicator and period: where an earlier plan still holds a period,
    this plan takes it over (the earlier plan keeps its own expected values in its points, so
    its history reads as it was agreed). Trajectory targets are not the ordinary targets the
    hub sets: no TargetChange row and no recompute; the plan's events are their history.
    """
    points = list(plan.trajectory.all())
    held = {
        t.period_id: t
        for t in Target.trajectories.select_for_update().filter(
            indicator_id=plan.indicator_id, period_id__in=[p.period_id for p in points]
        )
    }
    if held:
        earlier = (
            TrajectoryPoint.objects.filter(target__in=list(held.values()))
            .exclude(plan=plan)
            .select_related("plan__clinic", "period")
        )
        by_plan: dict[int, list] = {}
        for point in earlier:
            by_plan.setdefault(point.plan_id, []).append(point)
        for points_of in by_plan.values():
            labels = ", ".join(p.period.label for p in sorted(points_of, key=lambda p: p.period.start))
            _event(
                points_of[0].plan.clinic,
                "trajectory_taken_over",
                user,
                f"Remedial plan {plan.id}'s trajectory is now the target for {labels}; this plan keeps its own values.",
                plan=points_of[0].plan,
            )
        earlier.update(target=None)
    for point in points:
        target = held.get(point.period_id) or Target(
            indicator_id=plan.indicator_id, period_id=point.period_id, kind=Target.Kind.TRAJECTORY
        )
        target.value, target.set_by = point.expected, _actor(user)
        target.save()
        point.target = target
    TrajectoryPoint.objects.bulk_update(points, ["target"])


def release_trajectory(plan: RemedialPlan) -> None:
    """A closed plan gives up its trajectory targets; its points keep the values it agreed."""
    Target.trajectories.filter(trajectory_point__plan=plan).delete()


@transaction.atomic
def remedial_plan_return(*, user, plan: RemedialPlan, stage: str, reason: str) -> RemedialPlan:
    """The Executive Member or CMT returns a draft with a reason; its sign-offs are cleared."""
    plan = _plan_for_update(plan.id)
    if not roles.may_sign_off_remedial_plan(user, stage, portfolio_id=plan.indicator.portfolio_id):
        raise PermissionDenied("Only those who sign a remedial plan off may return it.")
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", "Say why the plan is returned (at least 10 characters).", errors)
    if plan.status != RemedialPlan.Status.DRAFT:
        errors.setdefault("reason", []).append("Only a draft plan can be returned.")
    if errors:
        raise ValidationError(errors)
    plan.status = RemedialPlan.Status.RETURNED
    plan.returned_reason = reason
    plan.member_signed_off_by = plan.member_signed_off_at = None
    plan.cmt_signed_off_by = plan.cmt_signed_off_at = None
    plan.save()
    _event(plan.clinic, "returned", user, reason, plan=plan)
    return plan


@transaction.atomic
def remedial_plan_resubmit(*, user, plan: RemedialPlan, note: str) -> RemedialPlan:
    """The hub sends a returned plan back for sign-off, saying what changed."""
    plan = _plan_for_update(plan.id)
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub resubmits remedial plans.")
    errors: dict[str, list[str]] = {}
    note = _text(
        note, "note", "Say what changed since the plan was returned (at least 10 characters).", errors
    )
    if plan.status != RemedialPlan.Status.RETURNED:
        errors.setdefault("note", []).append("Only a returned plan can be resubmitted.")
    if errors:
        raise ValidationError(errors)
    plan.status = RemedialPlan.Status.DRAFT
    plan.save()
    _event(plan.clinic, "resubmitted", user, note, plan=plan)
    return plan


def may_update_action(user, action: RemedialAction) -> bool:
    return roles.may_manage_clinics(user) or (
        user.is_authenticated and user.id in (action.owner_id, action.plan.owner_id)
    )


@transaction.atomic
def remedial_action_update(*, user, action: RemedialAction, progress: str, note: str) -> RemedialAction:
    if not may_update_action(user, action):
        raise PermissionDenied("Only the action's owner, the plan's owner or the hub update an action.")
    errors: dict[str, list[str]] = {}
    if progress not in RemedialAction.Progress.values:
        errors.setdefault("progress", []).append("Choose the action's progress.")
    if action.plan.status != RemedialPlan.Status.SIGNED_OFF:
        errors.setdefault("progress", []).append(
            "Actions are updated once the plan is signed off, until it closes."
        )
    if errors:
        raise ValidationError(errors)
    action.progress = progress
    action.progress_note = (note or "").strip()
    action.updated_at = timezone.now()
    action.save()
    _event(
        action.plan.clinic,
        "action_updated",
        user,
        f"{action.description[:80]}: {action.get_progress_display()}. {action.progress_note}".strip(),
        plan=action.plan,
    )
    return action


@transaction.atomic
def remedial_plan_close(*, user, plan: RemedialPlan, closure: str, note: str) -> RemedialPlan:
    plan = _plan_for_update(plan.id)
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub closes remedial plans.")
    errors: dict[str, list[str]] = {}
    note = _text(note, "note", "Write a closing note (at least 10 characters).", errors)
    if closure not in RemedialPlan.Closure.values:
        errors.setdefault("closure", []).append("Choose whether the plan recovered or was superseded.")
    if plan.status != RemedialPlan.Status.SIGNED_OFF:
        errors.setdefault("closure", []).append("Only a signed-off plan being tracked can be closed.")
    if errors:
        raise ValidationError(errors)
    plan.status = RemedialPlan.Status.CLOSED
    plan.closure, plan.closing_note = closure, note
    plan.closed_at, plan.closed_by = timezone.now(), _actor(user)
    plan.save()
    release_trajectory(plan)
    _event(plan.clinic, "closed", user, f"{plan.get_closure_display()}: {note}", plan=plan)
    return plan


# --- Tracking --------------------------------------------------------------------------------------


def plan_tracking(plan: RemedialPlan, points=None) -> trajectory.Tracking:
    """Results against the trajectory, judged period by period. Two queries (one if `points` given)."""
    points = list(plan.trajectory.select_related("period")) if points is None else points
    results = {
        a["period__start"]: (a["value"], a["rag"])
        for a in Assessment.objects.filter(
            indicator_id=plan.indicator_id, period_id__in=[p.period_id for p in points]
        ).values("period__start", "value", "rag")
    }
    return trajectory.track(
        [(p.period.start, p.period.label, p.expected) for p in points], results, plan.indicator.polarity
    )


def remedial_plans_check_off_track() -> int:
    """Notify each signed-off plan's owner and the hub after two consecutive periods off trajectory
    (once per period). Returns how many plans were notified. Run by the beat task."""
    notified = 0
    hub_addresses = list(
        get_user_model()
        .objects.filter(profile__role=Role.HUB, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    for plan in RemedialPlan.objects.filter(status=RemedialPlan.Status.SIGNED_OFF).select_related(
        "indicator", "owner"
    ):
        tracking = plan_tracking(plan)
        latest = tracking.latest
        if not tracking.needs_notice or latest is None:
            continue
        period = Period.objects.filter(
            kind=FREQUENCY_KIND[plan.indicator.frequency], start=latest.start
        ).first()
        if period is None or plan.off_track_notified_for_id == period.id:
            continue
        recipients = sorted(
            set(hub_addresses) | ({plan.owner.email} if plan.owner and plan.owner.email else set())
        )
        if recipients:
            places, unit = plan.indicator.decimal_places, plan.indicator.unit
            send_mail(
                subject=f"Remedial plan off trajectory: {plan.indicator.reference}",
                message=(
                    f"{plan.indicator.reference} {plan.indicator.title} has been off its remedial plan's "
                    f"trajectory for {tracking.off_run} consecutive periods, the latest {latest.label} "
                    f"({format_value(latest.actual, places, unit)} against an expected "
                    f"{format_value(latest.expected, places, unit)})."
                ),
                from_email=None,
                recipient_list=recipients,
            )
        with transaction.atomic():
            RemedialPlan.objects.filter(id=plan.id).update(off_track_notified_for=period)
            _event(
                plan.clinic,
                "off_track_notified",
                None,
                f"{tracking.off_run} periods off trajectory",
                plan=plan,
            )
        notified += 1
    return notified


def held_clinics_by_indicator(indicator_ids) -> dict[int, list[tuple[int, datetime.date | None]]]:
    """For scorecards and the exception list: the held clinics of these indicators. One query."""
    found: dict[int, list] = {}
    through = Clinic.indicators.through
    for row in through.objects.filter(
        indicator_id__in=list(indicator_ids), clinic__status=Clinic.Status.HELD
    ).values("indicator_id", "clinic_id", "clinic__date"):
        found.setdefault(row["indicator_id"], []).append((row["clinic_id"], row["clinic__date"]))
    return found


@dataclass(frozen=True)
class ClinicMark:
    """What the exception list and scorecards say beside an indicator about its clinics."""

    held: tuple[tuple[int, datetime.date | None], ...] = ()  # (clinic id, date), latest first
    open_clinic: tuple[int, str, datetime.date | None] | None = None  # (id, status, date), soonest
    plan: tuple[int, str] | None = None  # the remedial plan in progress: (id, status)

    @property
    def latest_held(self) -> tuple[int, datetime.date | None] | None:
        return self.held[0] if self.held else None

    @property
    def plan_label(self) -> str:
        if self.plan is None:
            return ""
        return {
            RemedialPlan.Status.SIGNED_OFF: "Remedial plan in progress: being tracked",
            RemedialPlan.Status.RETURNED: "Remedial plan in progress: returned for changes",
        }.get(self.plan[1], "Remedial plan in progress: awaiting sign-off")

    @property
    def scorecard_text(self) -> str:
        """The words of a scorecard row's mark (the exports' "Clinic" column): the latest held
        clinic and a remedial plan in progress, as the page marks them."""
        parts = []
        if self.latest_held is not None:
            date = self.latest_held[1]
            parts.append(f"Clinic held {date:%-d %b %Y}" if date else "Clinic held")
        if self.plan is not None:
            parts.append(self.plan_label)
        return "; ".join(parts)

    @property
    def open_label(self) -> str:
        if self.open_clinic is None:
            return ""
        _, status, date = self.open_clinic
        if status == Clinic.Status.SCHEDULED and date:
            return f"Clinic scheduled for {date:%-d %b %Y}"
        return "Clinic requested"


def clinic_marks(indicator_ids) -> dict[int, ClinicMark]:
    """For scorecards and the exception list: per indicator, its held clinics, its open clinic and
    its remedial plan in progress (not closed). One query whatever the number of indicators.

    `indicator_ids`: ids, or a query of them (`values("id")`), read as a subquery.

    Only whether a clinic was held is said, not what it found, so the mark may sit beside any
    indicator the reader can already see; the clinic itself is still opened under its own rules.
    """
    through = Clinic.indicators.through
    plans = RemedialPlan.objects.filter(
        clinic_id=OuterRef("clinic_id"), indicator_id=OuterRef("indicator_id")
    ).exclude(status=RemedialPlan.Status.CLOSED)
    rows = (
        through.objects.filter(
            indicator_id__in=indicator_ids if isinstance(indicator_ids, QuerySet) else list(indicator_ids)
        )
        .exclude(clinic__status=Clinic.Status.CANCELLED)
        .annotate(plan_id=Subquery(plans.values("id")[:1]), plan_status=Subquery(plans.values("status")[:1]))
        .values("indicator_id", "clinic_id", "clinic__status", "clinic__date", "plan_id", "plan_status")
    )
    found: dict[int, dict] = {}
    for row in rows:
        mark = found.setdefault(row["indicator_id"], {"held": [], "open": [], "plan": None})
        clinic = (row["clinic_id"], row["clinic__status"], row["clinic__date"])
        if row["clinic__status"] == Clinic.Status.HELD:
            mark["held"].append((row["clinic_id"], row["clinic__date"]))
        else:
            mark["open"].append(clinic)
        if row["plan_id"] and (mark["plan"] is None or row["plan_id"] > mark["plan"][0]):
            mark["plan"] = (row["plan_id"], row["plan_status"])
    far = datetime.date.max
    return {
        indicator_id: ClinicMark(
            held=tuple(sorted(m["held"], key=lambda h: (h[1] or datetime.date.min, h[0]), reverse=True)),
            open_clinic=min(m["open"], key=lambda o: (o[2] or far, o[0])) if m["open"] else None,
            plan=m["plan"],
        )
        for indicator_id, m in found.items()
    }


# --- Who sees which clinic ----------------------------------------------------------------------


def visible_clinics(user):
    """Clinics the user may open: the hub, CMT and audit every one; others those they requested,
    are invited to with their account, or whose indicators are in their own scope (not merely
    published). Being named as an external attendee gives no access."""
    qs = Clinic.objects.all()
    if roles.may_read_all_clinics(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    role = roles.role_of(user)
    profile = roles.profile_of(user)
    scope = Q(requested_by=user) | Q(attendees__user=user) | Q(indicators__responsible_officer=user)
    scope |= Q(remedial_plans__owner=user) | Q(remedial_plans__actions__owner=user)
    if profile is not None:
        if role == Role.DIRECTOR and roles.directorate_id_of(user):
            scope |= Q(indicators__service__directorate_id=roles.directorate_id_of(user))
        elif role == Role.HEAD and profile.service_id:
            scope |= Q(indicators__service_id=profile.service_id)
        elif role == Role.COUNCILLOR and profile.portfolio_id:
            scope |= Q(indicators__portfolio_id=profile.portfolio_id)
        elif role == Role.SCRUTINY and profile.board_id:
            scope |= Q(indicators__boards=profile.board_id)
    return qs.filter(id__in=Clinic.objects.filter(scope).values("id"))


def shows_contact_details(user) -> bool:
    """External attendees' email addresses are the hub's to see."""
    return roles.may_manage_clinics(user)
