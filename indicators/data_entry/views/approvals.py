"""Approvals: submitted results for responsible officers and heads of service to approve or return
with a reason.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators.access import can_approve_results
from indicators.data_entry.forms import ReturnDecisionForm, new_form_key
from indicators.data_entry.services.approvals import approval_contexts, results_approve_selected
from indicators.data_entry.services.results import (
    ResultConflict,
    result_approve,
    result_return,
)
from indicators.data_entry.services.returns import (
    approvals_for,
)
from indicators.models import Result
from organisation.ids import parse_id
from organisation.roles import may_open_approvals


def approvable_result(user, result_id: int) -> Result:
    result = get_object_or_404(Result.objects.select_related("indicator__service", "period"), pk=result_id)
    if not can_approve_results(user, result.indicator):
        raise PermissionDenied("Only the responsible officer or head of service can approve this result.")
    return result


@login_required
def approvals_list(request):
    if not may_open_approvals(
        request.user, responsible_for_any=request.user.responsible_for_indicators.exists()
    ):
        raise PermissionDenied("Approving results is for responsible officers and heads of service.")
    return render_approvals(request, list(approvals_for(request.user)))


def render_approvals(request, results, *, errors=None, status=200):
    contexts = approval_contexts(results)
    forms = [
        (
            context,
            ReturnDecisionForm(
                initial={"version": context.result.version, "key": new_form_key()},
                prefix=f"a{context.result.pk}",
            ),
        )
        for context in contexts
    ]
    return render(
        request,
        "indicators/returns/approvals.html",
        {"entries": forms, "nav_section": "approvals", "bulk_errors": errors or []},
        status=status,
    )


@login_required
@require_POST
def approvals_approve_selected(request):
    """Approve the ticked results together (each still gets its own history row)."""
    if not may_open_approvals(
        request.user, responsible_for_any=request.user.responsible_for_indicators.exists()
    ):
        raise PermissionDenied("Approving results is for responsible officers and heads of service.")
    pending = {r.pk: r for r in approvals_for(request.user)}
    chosen, versions, unknown = [], {}, False
    for raw in request.POST.getlist("selected"):
        result_text, _, version = raw.partition(":")
        result_id = parse_id(result_text)
        if result_id not in pending or not (version.isascii() and version.isdigit()):
            unknown = True
            continue
        chosen.append(pending[result_id])
        versions[result_id] = int(version)
    errors = []
    if unknown:
        errors.append(
            "Some of the results you selected are no longer awaiting your approval. Nothing was approved."
        )
    else:
        try:
            count = results_approve_selected(user=request.user, results=chosen, versions=versions)
        except ValidationError as error:
            errors.extend(error.messages)
        else:
            messages.success(request, f"{count} result{'s' if count != 1 else ''} approved.")
            return redirect("data_entry:approvals")
    return render_approvals(request, list(pending.values()), errors=errors, status=400)


@login_required
@require_POST
def approval_decide(request, result_id):
    result = approvable_result(request.user, result_id)
    form = ReturnDecisionForm(request.POST, prefix=f"a{result.pk}")
    decision = request.POST.get("decision")
    if form.is_valid() and decision in ("approve", "return"):
        try:
            if decision == "approve":
                result_approve(
                    user=request.user,
                    result=result,
                    expected_version=form.cleaned_data["version"],
                    key=form.cleaned_data["key"] or None,
                )
                messages.success(request, f"{result.indicator.reference} {result.period.label} approved.")
            else:
                result_return(
                    user=request.user,
                    result=result,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    key=form.cleaned_data["key"] or None,
                )
                messages.success(
                    request, f"{result.indicator.reference} {result.period.label} returned for changes."
                )
            return redirect("data_entry:approvals")
        except ValidationError as error:
            form.add_error(None, error)
        except ResultConflict as conflict:
            form.add_error(None, str(conflict))
    elif decision not in ("approve", "return"):
        form.add_error(None, "Choose Approve or Return for changes")
    result.refresh_from_db()
    context = approval_contexts([result])[0]
    return render(
        request,
        "indicators/returns/approvals.html",
        {"entries": [(context, form)], "nav_section": "approvals", "single": True},
        status=400,
    )
