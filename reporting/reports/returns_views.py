"""The returns to central government: the calendar page, status changes and exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organisation import roles
from organisation.calendar import reporting_date
from reporting.reports import returns
from reporting.reports.models import CollectionReturn
from reporting.reports.services import ReportRefused


@login_required
def collections_page(request):
    as_of = reporting_date()
    rows = returns.calendar(request.user, as_of)
    context = {
        "rows": rows,
        "as_of": as_of,
        "overdue": sum(r["overdue"] for r in rows),
        "may_update": roles.may_update_collections(request.user),
        "nav_section": "reports",
    }
    return render(request, "reporting/reports/returns.html", context)


@login_required
@require_POST
def update_status(request, return_id: int):
    try:
        ret = returns.advance(
            request.user, return_id, request.POST.get("status", ""), request.FILES.get("file")
        )
    except ReportRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, f"{ret.collection.name} {ret.period.label}: {ret.get_status_display().lower()}."
        )
    return redirect("reports:returns")


def _readable_return(request, return_id: int) -> CollectionReturn:
    if not roles.may_read_collections(request.user):
        raise PermissionDenied("The returns to central government are the hub's, CMT's and audit's to read.")
    return get_object_or_404(CollectionReturn.objects.select_related("collection", "period"), pk=return_id)


@login_required
def export(request, return_id: int, fmt: str):
    ret = _readable_return(request, return_id)
    name = f"{ret.collection.name}-{ret.period.label}".replace("/", "-").replace(" ", "-").lower()
    if fmt == "csv":
        response = HttpResponse(returns.export_csv(ret), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            returns.export_xlsx(ret),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404("Exports are .csv or .xlsx.")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def submitted_file(request, return_id: int):
    ret = _readable_return(request, return_id)
    if not ret.submitted_file:
        raise Http404("No file has been submitted for this return.")
    response = HttpResponse(bytes(ret.submitted_file), content_type="application/octet-stream")
    response["Content-Disposition"] = 'attachment; filename="{}"'.format(
        ret.submitted_filename.replace('"', "")
    )
    return response
