"""Audit: the change history of results and targets, and restoring an earlier version."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from indicators.data_entry.forms import RestoreForm
from indicators.data_entry.services.results import (
    result_restore,
)
from indicators.data_entry.views.approvals import approvable_result
from indicators.models import ResultChange
from indicators.selectors import result_history
from organisation.roles import may_read_audit


@login_required
def audit(request):
    """The full change history of results and targets, newest first, for internal audit and the hub."""
    if not may_read_audit(request.user):
        raise PermissionDenied("The change history is for internal audit and the Strategic Intelligence Hub.")
    reference = (request.GET.get("indicator") or "").strip()[:20]
    history = result_history(request.user, reference=reference or None, limit=500)
    return render(
        request,
        "indicators/audit/list.html",
        {"history": history, "reference": reference, "nav_section": "audit"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def result_restore_view(request, result_id, change_id):
    result = approvable_result(request.user, result_id)
    change = get_object_or_404(ResultChange.objects.select_related("changed_by"), pk=change_id, result=result)
    form = RestoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            result_restore(
                user=request.user, result=result, change=change, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"{result.indicator.reference} {result.period.label}: version {change.version} restored.",
            )
            return redirect(result.indicator.get_absolute_url() + "#history")
    return render(
        request, "indicators/audit/restore.html", {"result": result, "change": change, "form": form}
    )
