"""Clinic pages: parse, call a service, render. Permissions are checked where the object is fetched
(`clinics.selectors`) and again in each service."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clinics import forms, pack_pdf, selectors, services
from clinics.models import Attendee, Clinic, RemedialAction, RemedialPlan, RequestSource, Urgency
from indicators.models import Indicator
from organisation import roles
from organisation.ids import parse_id

ATTENDEE_ROWS = 5
ACTION_ROWS = 3


def _require_hub(user) -> None:
    if not roles.may_manage_clinics(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub does this.")


def _base(**context) -> dict:
    return {"nav_section": "clinics", "errors": {}, "values": {}, **context}


@login_required
def clinic_list(request):
    context = _base(**selectors.clinic_lists(request.user))
    context["is_hub"] = roles.may_manage_clinics(request.user)
    if roles.may_read_all_clinics(request.user):
        context["suggestions"] = services.suggestions()
        context["show_suggestions"] = True
    context["can_request"] = roles.may_request_clinics(request.user)
    return render(request, "clinics/list.html", context)


@login_required
@require_POST
def suggestion_decide(request):
    _require_hub(request.user)
    period = services.period_from_key(request.POST.get("period", ""))
    reference = request.POST.get("indicator", "")[:20]
    try:
        decision = services.suggestion_decide(
            user=request.user,
            reference=reference,
            period=period,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", "")[:2000],
        )
    except ValidationError as error:
        context = _base(**selectors.clinic_lists(request.user))
        context.update(
            is_hub=True,
            show_suggestions=True,
            suggestions=services.suggestions(),
            can_request=True,
            errors=error.message_dict,
            failed=reference,
            note=request.POST.get("note", "")[:2000],
        )
        return render(request, "clinics/list.html", context, status=400)
    if decision.clinic_id:
        messages.success(request, f"Clinic requested for {reference}. Schedule it next.")
        return redirect("clinics:detail", decision.clinic_id)
    messages.success(request, f"Suggested clinic for {reference} dismissed.")
    return redirect("clinics:list")


@login_required
def clinic_request(request):
    data = request.POST if request.method == "POST" else request.GET
    references = [
        r.strip()[:20]
        for raw in data.getlist("indicator") + data.getlist("indicators")
        for r in raw.replace(",", " ").split()
    ]
    responsible = Indicator.objects.filter(responsible_officer=request.user).exists()
    if not roles.may_request_clinics(request.user, responsible_for_any=responsible):
        raise PermissionDenied("Your role does not request performance clinics.")
    period = services.period_from_key(data.get("period", ""))
    source = data.get("source", RequestSource.INDICATOR)
    source_id = parse_id(data.get("source_id", ""))
    origin = services.plan_source(request.user, source, source_id)
    if origin is not None and not references and request.method == "GET":
        # From a plan action or risk: the indicators it names, to be checked and trimmed.
        named = (
            origin.outcome_indicators.all()
            if source == RequestSource.PLAN_ACTION
            else origin.indicators.all()
        )
        references = [i.reference for i in named]
    values = {
        "indicators": " ".join(references),
        "reason": data.get("reason", "")[:2000],
        "urgency": data.get("urgency", ""),
        "period": period.key if period else "",
        "source": source if source in RequestSource.values else RequestSource.OTHER,
        "source_id": str(origin.id) if origin is not None else "",
    }
    errors = {}
    if request.method == "POST":
        try:
            clinic = services.clinic_request(
                user=request.user,
                references=references,
                reason=values["reason"],
                urgency=values["urgency"],
                source=values["source"],
                period=period,
                source_id=source_id,
            )
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, "Clinic requested. The Strategic Intelligence Hub will schedule it.")
            return redirect("clinics:detail", clinic.id)
    elif references:
        allowed, refused = services.requestable_indicators(request.user, references)
        if not allowed:
            raise PermissionDenied("You may not request a clinic for these indicators.")
    context = _base(values=values, errors=errors, period=period, urgencies=Urgency.choices, origin=origin)
    return render(request, "clinics/request.html", context, status=400 if errors else 200)


@login_required
def clinic_detail(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    planned = {p.indicator_id for p in clinic.plan_list}
    context = _base(
        clinic=clinic,
        is_hub=roles.may_manage_clinics(request.user),
        contacts=services.shows_contact_details(request.user),
        plan_candidates=[i for i in clinic.indicator_list if i.id not in planned],
    )
    return render(request, "clinics/detail.html", context)


@login_required
def clinic_schedule(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    _require_hub(request.user)
    if not clinic.is_open:
        raise Http404("This clinic has been held or cancelled.")
    errors: dict = {}
    chair = next((a for a in clinic.attendee_list if a.role == Attendee.ClinicRole.CHAIR), None)
    if request.method == "POST":
        data = request.POST
        values = {k: data.get(k, "")[:300] for k in ("date", "start_time", "end_time", "place", "chair")}
        rows = [
            {k: data.get(f"attendee-{n}-{k}", "")[:200] for k in ("role", "user", "name", "email")}
            for n in range(ATTENDEE_ROWS)
        ]
        date = forms.parse_date(values["date"], "date", errors, label="the date of the clinic")
        start = forms.parse_time(values["start_time"], "start_time", errors, label="the start time")
        end = forms.parse_time(values["end_time"], "end_time", errors, label="the end time", required=False)
        attendees = [
            services.AttendeeInput(
                role=r["role"], user_id=parse_id(r["user"]), name=r["name"], email=r["email"]
            )
            for r in rows
            if r["user"] or r["name"] or r["email"]
        ]
        try:
            if errors:
                raise ValidationError(errors)
            sent = services.clinic_schedule(
                user=request.user,
                clinic=clinic,
                date=date,
                start_time=start,
                end_time=end,
                place=values["place"],
                chair_id=parse_id(values["chair"]),
                attendees=attendees,
            )
        except ValidationError as error:
            forms.merge(errors, error.message_dict)
        else:
            messages.success(request, f"Clinic scheduled: {sent} invitation{'s' if sent != 1 else ''} sent.")
            return redirect("clinics:detail", clinic.id)
    else:
        values = {
            "date": clinic.date.isoformat() if clinic.date else "",
            "start_time": clinic.start_time.strftime("%H:%M") if clinic.start_time else "",
            "end_time": clinic.end_time.strftime("%H:%M") if clinic.end_time else "",
            "place": clinic.place,
            "chair": str(chair.user_id) if chair and chair.user_id else "",
        }
        rows = [
            {"role": a.role, "user": str(a.user_id or ""), "name": a.name, "email": a.email}
            for a in clinic.attendee_list
            if a.role != Attendee.ClinicRole.CHAIR
        ]
    rows += [{"role": "", "user": "", "name": "", "email": ""}] * (ATTENDEE_ROWS - len(rows))
    context = _base(
        clinic=clinic,
        values=values,
        rows=[(n, r) for n, r in enumerate(rows[:ATTENDEE_ROWS])],
        errors=errors,
        people=selectors.people(),
        attendee_roles=[c for c in Attendee.ClinicRole.choices if c[0] != Attendee.ClinicRole.CHAIR],
        today=timezone.localdate(),
    )
    return render(request, "clinics/schedule.html", context, status=400 if errors else 200)


@login_required
@require_POST
def clinic_cancel(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    try:
        services.clinic_cancel(user=request.user, clinic=clinic, reason=request.POST.get("reason", "")[:2000])
    except ValidationError as error:
        context = _base(
            clinic=clinic,
            is_hub=True,
            contacts=True,
            errors=error.message_dict,
            plan_candidates=[],
            values={"reason": request.POST.get("reason", "")[:2000]},
        )
        return render(request, "clinics/detail.html", context, status=400)
    messages.success(request, "Clinic cancelled: the attendees have been sent a cancellation.")
    return redirect("clinics:detail", clinic.id)


@login_required
@require_POST
def definition_review_close(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    outcome = request.POST.get("review_outcome", "")[:5000]
    try:
        services.definition_review_close(user=request.user, clinic=clinic, outcome=outcome)
    except ValidationError as error:
        context = _base(
            clinic=clinic,
            is_hub=roles.may_manage_clinics(request.user),
            contacts=services.shows_contact_details(request.user),
            errors=error.message_dict,
            plan_candidates=[],
            values={"review_outcome": outcome},
        )
        return render(request, "clinics/detail.html", context, status=400)
    messages.success(request, "Definition review closed.")
    return redirect("clinics:detail", clinic.id)


@login_required
def clinic_pack(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    pack = services.clinic_pack(clinic)
    context = _base(clinic=clinic, pack=pack, indicators=pack_pdf.pack_with_charts(pack))
    return render(request, "clinics/pack.html", context)


@login_required
def clinic_pack_pdf(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    try:
        content = pack_pdf.pack_pdf(clinic, services.clinic_pack(clinic))
    except (ImportError, OSError):  # WeasyPrint's system libraries (Pango) are missing on this server
        return HttpResponse(
            "The PDF cannot be made on this server: use the pack page, which has the same content.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="clinic-{clinic.id}-pack.pdf"'
    return response


RECORD_FIELDS = (
    "minutes",
    "answer_targets",
    "answer_turnaround",
    "answer_resources",
    "decision",
    "decision_note",
)


@login_required
def clinic_record(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    _require_hub(request.user)
    if clinic.status != Clinic.Status.SCHEDULED:
        raise Http404("Only a scheduled clinic can be recorded.")
    errors: dict = {}
    values = {k: request.POST.get(k, "")[:20000] for k in (*RECORD_FIELDS, "monitor_monthly_until")}
    if request.method == "POST":
        until = forms.parse_date(
            values["monitor_monthly_until"], "monitor_monthly_until", errors, label="the date", required=False
        )
        try:
            if errors:
                raise ValidationError(errors)
            services.clinic_record(
                user=request.user,
                clinic=clinic,
                **{k: values[k] for k in RECORD_FIELDS},
                monitor_monthly_until=until,
            )
        except ValidationError as error:
            forms.merge(errors, error.message_dict)
        else:
            messages.success(request, "Clinic recorded as held. Its pack is now frozen.")
            return redirect("clinics:detail", clinic.id)
    context = _base(clinic=clinic, values=values, errors=errors, decisions=Clinic.Decision.choices)
    return render(request, "clinics/record.html", context, status=400 if errors else 200)


@login_required
def plan_create(request, clinic_id: int):
    clinic = selectors.clinic_for(request.user, clinic_id)
    _require_hub(request.user)
    reference = (request.POST.get("indicator") or request.GET.get("indicator") or "")[:20]
    indicator = next((i for i in clinic.indicator_list if i.reference == reference), None)
    if indicator is None:
        raise Http404("That indicator was not discussed at this clinic.")
    after = max(timezone.localdate().replace(day=1), datetime.date(2000, 1, 1))
    latest = indicator.assessments.filter(is_latest=True).select_related("period").first()
    if latest is not None:
        after = latest.period.start
    offered = services.trajectory_periods(indicator, after)
    values, traj_raw, action_rows = _plan_form_values(request, offered, ACTION_ROWS)
    errors: dict = {}
    if request.method == "POST":
        trajectory_values, actions, recovery = _plan_form_input(
            values, traj_raw, action_rows, offered, errors
        )
        try:
            with transaction.atomic():  # a parsing error below rolls the plan back: nothing half-saved
                plan = services.remedial_plan_create(
                    user=request.user,
                    clinic=clinic,
                    indicator=indicator,
                    owner_id=parse_id(values["owner"]),
                    monitoring=values["monitoring"],
                    monitoring_frequency=values["monitoring_frequency"],
                    delivery_plan_changes=values["delivery_plan_changes"],
                    recovery_criteria=values["recovery_criteria"],
                    trajectory_values=trajectory_values,
                    recovery_start=recovery,
                    offered_starts=offered,
                    actions=actions,
                )
                if errors:
                    raise ValidationError(errors)
        except ValidationError as error:
            forms.merge(errors, error.message_dict)
        else:
            messages.success(
                request, "Remedial plan drafted: it goes to the Executive Member and CMT for sign-off."
            )
            return redirect("clinics:plan", plan.id)
    context = _plan_form_context(clinic, indicator, values, errors, offered, traj_raw, action_rows)
    context.update(form_action=reverse("clinics:plan_create", args=[clinic.id]))
    return render(request, "clinics/plan_form.html", context, status=400 if errors else 200)


PLAN_TEXT_FIELDS = (
    "owner",
    "monitoring",
    "monitoring_frequency",
    "delivery_plan_changes",
    "recovery_criteria",
    "recovery",
)


def _plan_form_values(request, offered, rows: int, initial=None):
    """What the plan form holds: the POST, else `initial` (a plan being revised), else blanks."""
    if request.method == "POST" or initial is None:
        values = {k: request.POST.get(k, "")[:5000] for k in (*PLAN_TEXT_FIELDS, "note")}
        traj_raw = {s: request.POST.get(f"trajectory-{s:%Y-%m}", "")[:30] for s in offered}
        action_rows = [
            {
                k: request.POST.get(f"action-{n}-{k}", "")[:2000]
                for k in ("description", "owner", "due", "plan_action")
            }
            for n in range(rows)
        ]
        return values, traj_raw, action_rows
    return initial


def _plan_form_input(values, traj_raw, action_rows, offered, errors):
    """The typed trajectory, actions and recovery period, with a message by the field for each
    value that is not a number or a date."""
    trajectory_values = {}
    for start, raw in traj_raw.items():
        try:
            value = services.parse_decimal(raw)
        except ValueError:
            errors.setdefault("trajectory", []).append(f"{start:%b %Y}: enter a number, such as 9.5.")
            continue
        if value is not None:
            trajectory_values[start] = value
    actions = []
    for n, row in enumerate(action_rows, start=1):
        due = forms.parse_date(row["due"], "actions", errors, label=f"action {n}'s date", required=False)
        actions.append(
            services.ActionInput(
                row["description"], parse_id(row["owner"]), due, row.get("plan_action", "")[:20]
            )
        )
    recovery = next((s for s in offered if f"{s:%Y-%m}" == values["recovery"]), None)
    return trajectory_values, actions, recovery


def _plan_form_context(clinic, indicator, values, errors, offered, traj_raw, action_rows) -> dict:
    return _base(
        clinic=clinic,
        indicator=indicator,
        values=values,
        errors=errors,
        people=selectors.people(),
        offered=[(s, f"{s:%Y-%m}", f"{s:%b %Y}", traj_raw.get(s, "")) for s in offered],
        action_rows=list(enumerate(action_rows)),
        frequencies=RemedialPlan.Frequency.choices,
        plan_actions=services.linkable_plan_actions(indicator),
        service_plan=services.service_plan_for_new_actions(indicator),
        add_to_plan=services.ADD_TO_SERVICE_PLAN,
    )


@login_required
def plan_edit(request, plan_id: int):
    """The hub edits a returned remedial plan and resubmits it for sign-off, saying what changed."""
    plan = selectors.plan_for(request.user, plan_id)
    _require_hub(request.user)
    if plan.status != RemedialPlan.Status.RETURNED:
        raise Http404("Only a returned remedial plan is edited and resubmitted.")
    indicator = plan.indicator
    points = sorted(plan.points, key=lambda p: p.period.start)
    # The same periods as when the plan was agreed: from its trajectory's first period.
    after = points[0].period.start - datetime.timedelta(days=1) if points else timezone.localdate()
    offered = services.trajectory_periods(indicator, after)
    rows = max(ACTION_ROWS, len(plan.action_list) + 1)
    initial = (
        {
            "owner": str(plan.owner_id or ""),
            "monitoring": plan.monitoring,
            "monitoring_frequency": plan.monitoring_frequency,
            "delivery_plan_changes": plan.delivery_plan_changes,
            "recovery_criteria": plan.recovery_criteria,
            "recovery": f"{points[-1].period.start:%Y-%m}" if points else "",
            "note": "",
        },
        {p.period.start: f"{p.expected.normalize():f}" for p in points},
        [
            {
                "description": a.description,
                "owner": str(a.owner_id or ""),
                "due": a.due.isoformat(),
                "plan_action": str(a.plan_action_id or ""),
            }
            for a in plan.action_list
        ]
        + [{"description": "", "owner": "", "due": "", "plan_action": ""}] * (rows - len(plan.action_list)),
    )
    values, traj_raw, action_rows = _plan_form_values(request, offered, rows, initial)
    errors: dict = {}
    if request.method == "POST":
        trajectory_values, actions, recovery = _plan_form_input(
            values, traj_raw, action_rows, offered, errors
        )
        try:
            with transaction.atomic():  # a parsing error below rolls the revision back
                services.remedial_plan_revise(
                    user=request.user,
                    plan=plan,
                    owner_id=parse_id(values["owner"]),
                    monitoring=values["monitoring"],
                    monitoring_frequency=values["monitoring_frequency"],
                    delivery_plan_changes=values["delivery_plan_changes"],
                    recovery_criteria=values["recovery_criteria"],
                    trajectory_values=trajectory_values,
                    recovery_start=recovery,
                    offered_starts=offered,
                    actions=actions,
                    note=values["note"],
                )
                if errors:
                    raise ValidationError(errors)
        except ValidationError as error:
            forms.merge(errors, error.message_dict)
        else:
            messages.success(request, "Remedial plan revised and resubmitted for sign-off.")
            return redirect("clinics:plan", plan.id)
    context = _plan_form_context(plan.clinic, indicator, values, errors, offered, traj_raw, action_rows)
    context.update(plan=plan, form_action=reverse("clinics:plan_edit", args=[plan.id]))
    return render(request, "clinics/plan_form.html", context, status=400 if errors else 200)


def _plan_context(request, plan, **extra) -> dict:
    tracking = services.plan_tracking(plan, plan.points)
    user = request.user
    portfolio_id = plan.indicator.portfolio_id
    return _base(
        plan=plan,
        tracking=tracking,
        is_hub=roles.may_manage_clinics(user),
        may_member=roles.may_sign_off_remedial_plan(user, "member", portfolio_id=portfolio_id)
        and not plan.member_signed_off_at,
        may_cmt=roles.may_sign_off_remedial_plan(user, "cmt", portfolio_id=portfolio_id)
        and not plan.cmt_signed_off_at,
        updatable={a.id for a in plan.action_list if services.may_update_action(user, a)},
        progress_choices=RemedialAction.Progress.choices,
        closures=RemedialPlan.Closure.choices,
        **extra,
    )


@login_required
def plan_detail(request, plan_id: int):
    plan = selectors.plan_for(request.user, plan_id)
    return render(request, "clinics/plan.html", _plan_context(request, plan))


def _plan_post(request, plan_id: int, call, success: str):
    plan = selectors.plan_for(request.user, plan_id)
    try:
        call(plan)
    except ValidationError as error:
        plan = selectors.plan_for(request.user, plan_id)
        context = _plan_context(request, plan, errors=error.message_dict, values=request.POST)
        return render(request, "clinics/plan.html", context, status=400)
    messages.success(request, success)
    return redirect("clinics:plan", plan_id)


def _stage(request) -> str:
    stage = request.POST.get("stage", "")
    if stage not in ("member", "cmt"):
        raise PermissionDenied("Unknown sign-off stage.")
    return stage


@login_required
@require_POST
def plan_sign_off(request, plan_id: int):
    stage = _stage(request)
    return _plan_post(
        request,
        plan_id,
        lambda plan: services.remedial_plan_sign_off(user=request.user, plan=plan, stage=stage),
        "Remedial plan signed off.",
    )


@login_required
@require_POST
def plan_return(request, plan_id: int):
    stage = _stage(request)
    reason = request.POST.get("reason", "")[:2000]
    return _plan_post(
        request,
        plan_id,
        lambda plan: services.remedial_plan_return(user=request.user, plan=plan, stage=stage, reason=reason),
        "Remedial plan returned to the hub with your reason.",
    )


@login_required
@require_POST
def plan_resubmit(request, plan_id: int):
    note = request.POST.get("note", "")[:2000]
    return _plan_post(
        request,
        plan_id,
        lambda plan: services.remedial_plan_resubmit(user=request.user, plan=plan, note=note),
        "Remedial plan resubmitted for sign-off.",
    )


@login_required
@require_POST
def plan_close(request, plan_id: int):
    closure = request.POST.get("closure", "")
    note = request.POST.get("note", "")[:2000]
    return _plan_post(
        request,
        plan_id,
        lambda plan: services.remedial_plan_close(user=request.user, plan=plan, closure=closure, note=note),
        "Remedial plan closed.",
    )


@login_required
@require_POST
def action_update(request, action_id: int):
    action = RemedialAction.objects.select_related("plan").filter(id=action_id).first()
    if action is None:
        raise Http404("No such action.")
    selectors.plan_for(request.user, action.plan_id)  # 403 when the plan is not in scope

    def call(plan):
        services.remedial_action_update(
            user=request.user,
            action=action,
            progress=request.POST.get("progress", ""),
            note=request.POST.get("note", "")[:2000],
        )

    return _plan_post(request, action.plan_id, call, "Action progress updated.")
