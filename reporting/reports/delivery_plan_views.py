"""Boards' annual delivery plans (/reports/delivery-plans/): parse, call `delivery_plans`, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from indicators.models import Period
from organisation import roles
from reporting.reports import delivery_plans as service
from reporting.reports.delivery_plans import PlanRefused
from reporting.reports.models import DeliveryPlanItem


@login_required
def plan_list(request):
    if not (roles.reads_every_delivery_plan(request.user) or roles.board_id_of(request.user)):
        raise PermissionDenied(
            "Delivery plans are for the boards' members, the hub, CMT, directors and audit."
        )
    errors, values = {}, {}
    if request.method == "POST":
        values = request.POST
        try:
            plan = service.create_plan(
                request.user, values.get("board"), values.get("year"), values.get("summary", "")
            )
        except PlanRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, f"Started {plan}.")
            return redirect("reports:delivery_plan", plan_id=plan.id)
    context = {
        "plans": service.plans_for(request.user),
        "boards": service.boards_kept_by(request.user),
        "years": list(Period.objects.filter(kind="year").order_by("-start")),
        "errors": errors,
        "values": values,
        "nav_section": "reports",
    }
    return render(
        request, "reporting/reports/delivery_plans/list.html", context, status=400 if errors else 200
    )


@login_required
def plan_detail(request, plan_id: int):
    plan = service.plan_for(request.user, plan_id)
    context = {
        "plan": plan,
        "items": list(plan.items.all()),
        "history": service.history(plan),
        "may_keep": roles.may_keep_delivery_plan(request.user, plan.board_id),
        "nav_section": "reports",
    }
    return render(request, "reporting/reports/delivery_plans/detail.html", context)


@login_required
def item_form(request, plan_id: int, item_id: int | None = None):
    plan = service.plan_for(request.user, plan_id)
    if not roles.may_keep_delivery_plan(request.user, plan.board_id):
        raise PermissionDenied("Only the hub or the board's members keep its delivery plan.")
    item = get_object_or_404(DeliveryPlanItem, pk=item_id, plan=plan) if item_id else None
    errors = {}
    values = (
        {f: getattr(item, f) for f in service.ITEM_FIELDS} | {"due_date": item.due_date.isoformat()}
        if item
        else {}
    )
    if request.method == "POST":
        values = request.POST
        try:
            service.save_item(request.user, plan, request.POST, item)
        except PlanRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, "Priority saved; the change is in the plan's history.")
            return redirect("reports:delivery_plan", plan_id=plan.id)
    context = {
        "plan": plan,
        "item": item,
        "values": values,
        "errors": errors,
        "statuses": DeliveryPlanItem.Status.choices,
        "nav_section": "reports",
    }
    return render(
        request, "reporting/reports/delivery_plans/item.html", context, status=400 if errors else 200
    )
