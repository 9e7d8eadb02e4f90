"""Audit: the change history of results, targets and the indicator fields that judge a result,
and restoring an earlier version of a result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from indicators.data_entry.forms import AuditFilterForm, RestoreForm
from indicators.data_entry.services.results import (
    result_restore,
)
from indicators.data_entry.views.approvals import approvable_result
from indicators.data_entry.views.exports import _export_response
from indicators.models import ResultChange
from indicators.selectors import result_history
from organisation.roles import may_read_audit

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_LIMIT = 100_000


def _audit_filters(request) -> tuple[AuditFilterForm, dict]:
    form = AuditFilterForm(request.GET or None)
    if request.GET and form.is_valid():
        data = form.cleaned_data
        return form, {
            "reference": (data["indicator"] or "").strip() or None,
            "changed_by": (data["changed_by"] or "").strip() or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
            "kind": data["kind"] or None,
        }
    return form, {}


def _may_read_audit(request):
    if not may_read_audit(request.user):
        raise PermissionDenied("The change history is for internal audit and the Strategic Intelligence Hub.")


@login_required
def audit(request):
    """The change history of results and targets, newest first, filtered and paged, for internal
    audit and the hub."""
    _may_read_audit(request)
    form, filters = _audit_filters(request)
    try:
        page = max(1, min(int(request.GET.get("page", 1)), 10_000))
    except ValueError:
        page = 1
    # Both histories newest first, the first `page` pages of each merged: a fixed number of queries.
    history = result_history(request.user, limit=page * AUDIT_PAGE_SIZE + 1, **filters)
    shown = history[(page - 1) * AUDIT_PAGE_SIZE : page * AUDIT_PAGE_SIZE]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "indicators/audit/list.html",
        {
            "history": shown,
            "form": form,
            "page": page,
            "has_next": len(history) > page * AUDIT_PAGE_SIZE,
            "query": query.urlencode(),
            "nav_section": "audit",
        },
    )


@login_required
def audit_export(request, fmt):
    """The filtered trail (every matching row) as .xlsx or .csv."""
    _may_read_audit(request)
    _form, filters = _audit_filters(request)
    history = result_history(request.user, limit=AUDIT_EXPORT_LIMIT, **filters)
    rows = [
        [
            "Indicator",
            "Period",
            "Change",
            "Old value",
            "New value",
            "Old status",
            "New status",
            "Changed by",
            "Changed at",
            "Reason",
            "Details",
        ]
    ]
    rows += [
        [
            e.reference,
            e.period_label,
            e.action_label,
            e.old_display,
            e.new_display,
            e.old_status,
            e.new_status,
            e.changed_by,
            timezone.localtime(e.changed_at).strftime("%Y-%m-%d %H:%M"),
            e.reason,
            e.details_text,
        ]
        for e in history
    ]
    return _export_response(rows, fmt=fmt, filename="audit-trail", title="Audit trail")


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
