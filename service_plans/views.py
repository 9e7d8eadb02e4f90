"""Service Improvement Plan pages: parse, call a service or selector, render. Rights are checked in
`services.plan_for` (the one place a plan is fetched); a refused request is a 403, a missing one a 404."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from indicators.access import visible_indicators
from indicators.models import Indicator
from indicators.periods import financial_year_of
from organisation import roles
from organisation.calendar import reporting_date
from organisation.models import Directorate, Service, Theme
from service_plans import objectives, plan_import, risk_scoring, selectors, services
from service_plans.forms import (
    ActionForm,
    AddIndicatorForm,
    CommentForm,
    ImportForm,
    IncludeForm,
    ObjectiveForm,
    PlanCreateForm,
    PlanSectionsForm,
    ProgressUpdateForm,
    RiskForm,
    RiskReviewForm,
    SavingForm,
    TransitionForm,
    add_service_errors,
)
from service_plans.models import Action, Plan, Risk
from service_plans.workbook import WorkbookError, parse_plan_workbook

NAV = "service_plans"


def _edit_count(form):
    return form.cleaned_data.get("edit_count")


@login_required
def plan_list(request):
    plans = selectors.plan_list(request.user)
    return render(
        request,
        "service_plans/list.html",
        {
            "plans": plans,
            "may_create": roles.may_create_service_plan(request.user),
            "may_overview": roles.may_open_plans_overview(request.user),
            "dmt_directorate": Directorate.objects.filter(id=roles.directorate_id_of(request.user)).first()
            if roles.role_of(request.user) == "director"
            else None,
            "nav_section": NAV,
        },
    )


@login_required
def plan_create(request):
    if not roles.may_create_service_plan(request.user):
        raise PermissionDenied("Only heads of service and the hub start plans.")
    if roles.is_hub(request.user):
        service_choices = Service.objects.select_related("directorate").order_by("directorate__name", "name")
    else:
        service_choices = Service.objects.filter(id=roles.service_id_of(request.user))
    this_year = financial_year_of(reporting_date())
    years = [this_year, this_year + 1, this_year + 2]
    buddies = services.buddy_candidates().exclude(id=request.user.id)
    form = PlanCreateForm(request.POST or None, services=service_choices, years=years, buddies=buddies)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                user=request.user,
                service=form.cleaned_data["service"],
                financial_year=form.cleaned_data["financial_year"],
                years_covered=form.cleaned_data["years_covered"],
                buddy=form.cleaned_data["buddy"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Plan started: {plan}.")
            return redirect(plan)
    status = 400 if form.is_bound else 200
    return render(request, "service_plans/create.html", {"form": form, "nav_section": NAV}, status=status)


@login_required
def plan_detail(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id)
    page = selectors.plan_page(request.user, plan)
    return render(
        request,
        "service_plans/detail.html",
        {
            "page": page,
            "plan": plan,
            "comment_form": CommentForm(),
            "indicator_form": AddIndicatorForm(initial={"edit_count": plan.edit_count}),
            "saving_form": SavingForm(
                initial={"edit_count": plan.edit_count, "financial_year": plan.financial_year}
            ),
            "nav_section": NAV,
        },
    )


@login_required
def plan_print(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id)
    page = selectors.plan_page(request.user, plan)
    # The same page without its forms: the print stylesheet lays it out on A4.
    page.rights = services.PlanRights(read=True, edit=False, comment=False, moves=())
    return render(
        request,
        "service_plans/detail.html",
        {
            "page": page,
            "plan": plan,
            "printing": True,
            "comment_form": CommentForm(),
            "indicator_form": AddIndicatorForm(),
            "nav_section": NAV,
        },
    )


@login_required
def plan_edit(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id, need="edit")
    buddies = services.buddy_candidates().exclude(service_heads_filter(plan))
    if request.method == "POST":
        form = PlanSectionsForm(request.POST, instance=Plan(), buddies=buddies)
        if form.is_valid():
            data = {name: form.cleaned_data.get(name) for name in form.Meta.fields}
            try:
                services.plan_update_sections(
                    user=request.user,
                    plan_id=plan.id,
                    data=data,
                    seen_edit_count=_edit_count(form),
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Plan saved.")
                return redirect(plan)
        return render(
            request, "service_plans/edit.html", {"form": form, "plan": plan, "nav_section": NAV}, status=400
        )
    form = PlanSectionsForm(instance=plan, initial={"edit_count": plan.edit_count}, buddies=buddies)
    return render(request, "service_plans/edit.html", {"form": form, "plan": plan, "nav_section": NAV})


def service_heads_filter(plan):
    from django.db.models import Q

    return Q(profile__service_id=plan.service_id)


def _indicator_choices(user):
    return visible_indicators(user).filter(is_active=True).order_by("reference")


@login_required
def action_edit(request, plan_id: int, action_id: int | None = None):
    plan = services.plan_for(request.user, plan_id, need="edit")
    action = None
    if action_id is not None:
        action = Action.objects.filter(plan=plan, id=action_id).first()
        if action is None:
            raise Http404("No such action in this plan.")
    indicators = _indicator_choices(request.user)
    context = {"plan": plan, "action": action, "nav_section": NAV}
    if request.method == "POST":
        form = ActionForm(request.POST, instance=Action(plan=plan), indicators=indicators)
        if form.is_valid():
            try:
                saved = services.action_save(
                    user=request.user,
                    plan_id=plan.id,
                    action_id=action.id if action else None,
                    data=form.service_data(),
                    indicators=list(form.cleaned_data["outcome_indicators"]),
                    seen_edit_count=_edit_count(form),
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Action {saved.reference} saved.")
                return redirect(saved)
        return render(request, "service_plans/action_form.html", {**context, "form": form}, status=400)
    initial = {"edit_count": plan.edit_count}
    if action is None:
        initial.update(reference=f"{plan.service.directorate.code}-A{plan.actions.count() + 1}")
    form = ActionForm(instance=action, initial=initial, indicators=indicators)
    return render(request, "service_plans/action_form.html", {**context, "form": form})


def _update_months(today: datetime.date) -> list[datetime.date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(2):
        previous = months[-1] - datetime.timedelta(days=1)
        months.append(previous.replace(day=1))
    return months


@login_required
def action_detail(request, plan_id: int, action_id: int):
    plan = services.plan_for(request.user, plan_id)
    row = selectors.action_detail(plan, action_id)
    if row is None:
        raise Http404("No such action in this plan.")
    may_update = roles.may_update_plan_action(
        request.user, service_id=plan.service_id, accountable_id=row.action.accountable_officer_id
    )
    form = None
    status = 200
    if request.method == "POST":
        if not may_update:
            raise PermissionDenied(
                "Only the action's accountable officer or the head of service updates its progress."
            )
        form = ProgressUpdateForm(request.POST, months=_update_months(reporting_date()))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.action_progress_update(
                    user=request.user,
                    action_id=row.action.id,
                    month=datetime.date.fromisoformat(data["month"]),
                    status=data["status"],
                    percent_complete=data["percent_complete"],
                    commentary=data["commentary"],
                    completed_on=data.get("completed_on"),
                    status_reason=data.get("status_reason", ""),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Progress update saved.")
                return redirect(row.action)
        status = 400
    elif may_update:
        form = ProgressUpdateForm(
            initial={"status": row.action.status, "percent_complete": row.action.percent_complete},
            months=_update_months(reporting_date()),
        )
    return render(
        request,
        "service_plans/action_detail.html",
        {
            "plan": plan,
            "row": row,
            "form": form,
            "may_edit": services.plan_rights(request.user, plan).edit,
            "nav_section": NAV,
        },
        status=status,
    )


@login_required
def risk_edit(request, plan_id: int, risk_id: int | None = None):
    plan = services.plan_for(request.user, plan_id, need="edit")
    risk = None
    if risk_id is not None:
        risk = Risk.objects.select_related("matrix").filter(plan=plan, id=risk_id).first()
        if risk is None:
            raise Http404("No such risk in this plan.")
    matrix = risk.matrix if risk else services.current_matrix()
    kwargs = {"plan": plan, "matrix": matrix, "indicators": _indicator_choices(request.user)}
    context = {
        "plan": plan,
        "risk": risk,
        "matrix": matrix,
        "grid": risk_scoring.grid(services.matrix_of(matrix)),
        "nav_section": NAV,
    }
    if request.method == "POST":
        form = RiskForm(request.POST, instance=Risk(plan=plan, matrix=matrix), **kwargs)
        if form.is_valid():
            try:
                saved = services.risk_save(
                    user=request.user,
                    plan_id=plan.id,
                    risk_id=risk.id if risk else None,
                    data=form.service_data(),
                    mitigating_actions=list(form.cleaned_data["mitigating_actions"]),
                    indicators=list(form.cleaned_data["indicators"]),
                    seen_edit_count=_edit_count(form),
                    reason=form.cleaned_data.get("reason", ""),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Risk {saved.reference} saved.")
                return redirect(saved)
        return render(request, "service_plans/risk_form.html", {**context, "form": form}, status=400)
    initial = {"edit_count": plan.edit_count}
    if risk is None:
        initial.update(reference=f"{plan.service.directorate.code}-R{plan.risks.count() + 1}")
    form = RiskForm(instance=risk, initial=initial, **kwargs)
    return render(request, "service_plans/risk_form.html", {**context, "form": form})


@login_required
def risk_detail(request, plan_id: int, risk_id: int):
    plan = services.plan_for(request.user, plan_id)
    found = selectors.risk_detail(plan, risk_id)
    if found is None:
        raise Http404("No such risk in this plan.")
    row, reviews = found
    may_review = roles.may_update_plan_action(
        request.user, service_id=plan.service_id, accountable_id=row.risk.responsible_officer_id
    )
    form = RiskReviewForm() if may_review else None
    status = 200
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied("Only the risk's responsible officer or the head of service reviews it.")
        form = RiskReviewForm(request.POST)
        if form.is_valid():
            try:
                services.risk_review(
                    user=request.user,
                    risk_id=row.risk.id,
                    likelihood=form.cleaned_data["likelihood"],
                    impact=form.cleaned_data["impact"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Risk review saved.")
                return redirect(row.risk)
        status = 400
    return render(
        request,
        "service_plans/risk_detail.html",
        {
            "plan": plan,
            "row": row,
            "reviews": reviews,
            "form": form,
            "grid": risk_scoring.grid(services.matrix_of(row.risk.matrix)),
            "may_edit": services.plan_rights(request.user, plan).edit,
            "nav_section": NAV,
        },
        status=status,
    )


@login_required
@require_POST
def plan_transition(request, plan_id: int):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the plan.")
        return redirect("service_plans:detail", plan_id)
    try:
        plan = services.plan_transition(
            user=request.user,
            plan_id=plan_id,
            move=form.cleaned_data["move"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        plan = services.plan_for(request.user, plan_id)
        page = selectors.plan_page(request.user, plan)
        return render(
            request,
            "service_plans/detail.html",
            {
                "page": page,
                "plan": plan,
                "comment_form": CommentForm(),
                "indicator_form": AddIndicatorForm(initial={"edit_count": plan.edit_count}),
                "transition_errors": [m for messages_ in error.message_dict.values() for m in messages_],
                "transition_comment": form.cleaned_data["comment"],
                "nav_section": NAV,
            },
            status=400,
        )
    messages.success(request, f"The plan is now: {plan.get_status_display()}.")
    return redirect(plan)


@login_required
@require_POST
def plan_comment(request, plan_id: int):
    form = CommentForm(request.POST)
    text = request.POST.get("text", "")
    try:
        services.plan_comment_add(user=request.user, plan_id=plan_id, text=text)
    except ValidationError as error:
        plan = services.plan_for(request.user, plan_id)
        add_service_errors(form, error)
        return render(
            request,
            "service_plans/detail.html",
            {
                "page": selectors.plan_page(request.user, plan),
                "plan": plan,
                "comment_form": form,
                "indicator_form": AddIndicatorForm(initial={"edit_count": plan.edit_count}),
                "nav_section": NAV,
            },
            status=400,
        )
    messages.success(request, "Comment added.")
    return redirect("service_plans:detail", plan_id)


@login_required
@require_POST
def plan_indicator_add(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id, need="edit")
    form = AddIndicatorForm(request.POST)
    if form.is_valid():
        indicator = Indicator.objects.filter(reference__iexact=form.cleaned_data["reference"].strip()).first()
        try:
            services.plan_indicator_add(
                user=request.user, plan_id=plan.id, indicator=indicator, seen_edit_count=_edit_count(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
            if "indicator" in getattr(error, "message_dict", {}):
                for message in error.message_dict["indicator"]:
                    form.add_error("reference", message)
        else:
            messages.success(request, f"{indicator.reference} added to Table 3.3.")
            return redirect(f"{plan.get_absolute_url()}#table-3-3")
    return render(
        request,
        "service_plans/detail.html",
        {
            "page": selectors.plan_page(request.user, plan),
            "plan": plan,
            "comment_form": CommentForm(),
            "indicator_form": form,
            "nav_section": NAV,
        },
        status=400,
    )


@login_required
@require_POST
def plan_indicator_remove(request, plan_id: int, entry_id: int):
    try:
        services.plan_indicator_remove(
            user=request.user, plan_id=plan_id, entry_id=entry_id, seen_edit_count=None
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Indicator removed from Table 3.3.")
    return redirect("service_plans:detail", plan_id)


@login_required
def plan_indicator_include(request, plan_id: int, entry_id: int):
    """Table 3.3's "Include": the indicator's directorate scorecard flag, set with a reason."""
    plan = services.plan_for(request.user, plan_id, need="edit")
    entry = plan.plan_indicators.select_related("indicator__service").filter(id=entry_id).first()
    if entry is None:
        raise Http404("No such indicator in this plan.")
    if not roles.may_set_scorecard_flag(request.user, entry.indicator.service_id):
        raise PermissionDenied("Only the head of the indicator's service or the hub sets its scorecard flag.")
    initial = {"include": "yes" if entry.indicator.on_scorecard else "no", "edit_count": plan.edit_count}
    form = IncludeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.plan_indicator_include_set(
                user=request.user,
                plan_id=plan.id,
                entry_id=entry.id,
                include=form.cleaned_data["include"],
                reason=form.cleaned_data["reason"],
                seen_edit_count=_edit_count(form),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            reference = entry.indicator.reference
            messages.success(
                request,
                f"{reference} {'is now' if form.cleaned_data['include'] else 'is no longer'} on the "
                "directorate scorecard."
                if changed
                else f"{reference}'s scorecard flag is unchanged.",
            )
            return redirect(f"{plan.get_absolute_url()}#table-3-3")
    return render(
        request,
        "service_plans/include.html",
        {"plan": plan, "entry": entry, "form": form, "nav_section": NAV},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def plan_next_year(request, plan_id: int):
    try:
        new = services.plan_open_next_year(user=request.user, plan_id=plan_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("service_plans:detail", plan_id)
    messages.success(request, f"Next year's plan opened as a draft: {new}.")
    return redirect(new)


@login_required
def plan_version(request, plan_id: int, number: int):
    plan = services.plan_for(request.user, plan_id)
    version, previous = selectors.version_snapshot(plan, number)
    if version is None:
        raise Http404("No such version of this plan.")
    differences = services.snapshot_differences(previous.snapshot, version.snapshot) if previous else []
    return render(
        request,
        "service_plans/version.html",
        {
            "plan": plan,
            "version": version,
            "previous": previous,
            "differences": differences,
            "snapshot": version.snapshot,
            "nav_section": NAV,
        },
    )


@login_required
def my_work(request):
    return render(
        request,
        "service_plans/my.html",
        {
            "actions": selectors.my_actions(request.user),
            "risks": selectors.my_risks(request.user),
            "today": reporting_date(),
            "nav_section": NAV,
        },
    )


@login_required
def corporate_risks(request):
    if not (
        roles.reads_everything(request.user) or roles.role_of(request.user) in ("director", "councillor")
    ):
        raise PermissionDenied(
            "The corporate risk view is for CMT, the hub, audit, directors and Executive Members."
        )
    return render(
        request,
        "service_plans/corporate_risks.html",
        {"rows": selectors.corporate_risks(request.user), "nav_section": NAV},
    )


@login_required
def plans_overview(request):
    if not roles.may_open_plans_overview(request.user):
        raise PermissionDenied("The plans overview is for the hub, CMT and audit.")
    this_year = financial_year_of(reporting_date())
    years = [this_year - 1, this_year, this_year + 1]
    try:
        year = int(request.GET.get("year", this_year + 1))
    except ValueError:
        year = this_year + 1
    if year not in years:
        year = this_year + 1
    calendar, rows, today = selectors.plans_overview(year)
    return render(
        request,
        "service_plans/overview.html",
        {
            "calendar": calendar,
            "rows": rows,
            "year": year,
            "years": years,
            "today": today,
            "nav_section": NAV,
        },
    )


@login_required
def dmt_view(request, slug: str):
    directorate = Directorate.objects.filter(slug=slug).first()
    if directorate is None:
        raise Http404("No such directorate.")
    if not roles.may_open_dmt_plans_view(request.user, directorate.id):
        raise PermissionDenied("The DMT view is for the directorate's director, CMT, the hub and audit.")
    return render(
        request,
        "service_plans/dmt.html",
        {"directorate": directorate, "rows": selectors.dmt_view(directorate), "nav_section": NAV},
    )


@login_required
def theme_view(request, slug: str):
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise Http404("No such theme.")
    return render(
        request,
        "service_plans/theme.html",
        {"theme": theme, **selectors.theme_line_of_sight(request.user, theme), "nav_section": NAV},
    )


@login_required
def indicator_view(request, reference: str):
    indicator = visible_indicators(request.user).filter(reference=reference).first()
    if indicator is None:
        if Indicator.objects.filter(reference=reference).exists():
            raise PermissionDenied("This indicator is outside your role's scope.")
        raise Http404("No such indicator.")
    return render(
        request,
        "service_plans/indicator.html",
        {
            "indicator": indicator,
            **selectors.indicator_line_of_sight(request.user, indicator),
            "nav_section": NAV,
        },
    )


SESSION_IMPORT = "service_plans_import"


@login_required
def plan_export(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id)
    content = plan_import.export_plan(request.user, plan)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"service-plan-{plan.service.slug}-{plan.financial_year}-v{plan.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def plan_import_view(request, plan_id: int):
    """Upload a workbook: the preview lists what will be written and what did not match."""
    plan = services.plan_for(request.user, plan_id, need="edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form, "nav_section": NAV}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["workbook"]
        try:
            if upload.size > settings.KPI_IMPORT_MAX_BYTES:
                raise WorkbookError(
                    f"The file is larger than {settings.KPI_IMPORT_MAX_BYTES // (1024 * 1024)} MB."
                )
            parsed = parse_plan_workbook(upload.read(), max_rows=settings.KPI_IMPORT_MAX_ROWS)
        except WorkbookError as error:
            form.add_error("workbook", str(error))
        else:
            if not (parsed.sections or parsed.savings or parsed.actions or parsed.risks or parsed.indicators):
                form.add_error("workbook", "The workbook has none of the plan's sheets or tables.")
            else:
                preview = plan_import.import_preview(plan, parsed)
                request.session[SESSION_IMPORT] = {"plan": plan.id, "parsed": plan_import.to_session(parsed)}
                return render(
                    request,
                    "service_plans/import_preview.html",
                    {**context, "preview": preview, "edit_count": plan.edit_count},
                )
        return render(request, "service_plans/import.html", context, status=400)
    return render(request, "service_plans/import.html", context)


@login_required
@require_POST
def plan_import_confirm(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id, need="edit")
    stored = request.session.get(SESSION_IMPORT) or {}
    if stored.get("plan") != plan.id:
        messages.error(request, "There is no previewed workbook for this plan: upload it again.")
        return redirect("service_plans:import", plan.id)
    try:
        edit_count = int(request.POST.get("edit_count", ""))
    except ValueError:
        edit_count = None
    try:
        parsed = plan_import.from_session(stored["parsed"])
        plan_import.plan_import_confirm(
            user=request.user, plan_id=plan.id, parsed=parsed, seen_edit_count=edit_count
        )
    except ValidationError as error:
        messages.error(request, "Nothing was imported: " + " ".join(_messages_of(error)))
        return redirect("service_plans:import", plan.id)
    request.session.pop(SESSION_IMPORT, None)
    messages.success(request, "The workbook was imported into the plan.")
    return redirect(plan)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field.replace('_', ' ')}: {m}" for field, ms in error.message_dict.items() for m in ms]
    return list(error.messages)


@login_required
def my_objectives(request):
    this_year = financial_year_of(reporting_date())
    plan_actions = (
        Action.objects.filter(plan__in=selectors.visible_plans(request.user))
        .select_related("plan__service")
        .order_by("plan__service__name", "reference")
    )
    form = ObjectiveForm(
        request.POST or None,
        years=[this_year, this_year + 1],
        actions=plan_actions,
        indicators=_indicator_choices(request.user),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                objectives.objective_save(
                    user=request.user,
                    objective_id=None,
                    financial_year=form.cleaned_data["financial_year"],
                    text=form.cleaned_data["text"],
                    actions=list(form.cleaned_data["actions"]),
                    indicators=list(form.cleaned_data["indicators"]),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Objective saved.")
                return redirect("service_plans:objectives")
        status = 400
    mine = request.user.objectives.prefetch_related("actions__plan__service", "indicators")
    return render(
        request,
        "service_plans/objectives.html",
        {"form": form, "objectives": list(mine), "nav_section": NAV},
        status=status,
    )


@login_required
@require_POST
def objective_delete(request, objective_id: int):
    objectives.objective_delete(user=request.user, objective_id=objective_id)
    messages.success(request, "Objective removed.")
    return redirect("service_plans:objectives")


@login_required
def team_objectives(request):
    if not (roles.is_hub(request.user) or roles.role_of(request.user) in ("head", "director")):
        raise PermissionDenied("Team objectives are for heads of service and directors.")
    return render(
        request,
        "service_plans/team_objectives.html",
        {"objectives": objectives.team_objectives(request.user), "nav_section": NAV},
    )


@login_required
@require_POST
def saving_add(request, plan_id: int):
    plan = services.plan_for(request.user, plan_id, need="edit")
    form = SavingForm(request.POST)
    if form.is_valid():
        try:
            services.saving_add(
                user=request.user,
                plan_id=plan.id,
                financial_year=form.cleaned_data["financial_year"],
                amount=form.cleaned_data["amount"],
                area=form.cleaned_data["area"],
                seen_edit_count=form.cleaned_data.get("edit_count"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saving added.")
            return redirect(f"{plan.get_absolute_url()}#section-2")
    return render(
        request,
        "service_plans/detail.html",
        {
            "page": selectors.plan_page(request.user, plan),
            "plan": plan,
            "comment_form": CommentForm(),
            "indicator_form": AddIndicatorForm(initial={"edit_count": plan.edit_count}),
            "saving_form": form,
            "nav_section": NAV,
        },
        status=400,
    )


@login_required
@require_POST
def saving_remove(request, plan_id: int, saving_id: int):
    try:
        services.saving_remove(user=request.user, plan_id=plan_id, saving_id=saving_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Saving removed.")
    return redirect("service_plans:detail", plan_id)
