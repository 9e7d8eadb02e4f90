"""The exception list page: hub and CMT only; the hub marks entries reviewed."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clinics import services as clinic_services
from clinics.models import RequestSource
from indicators.periods import canonical_period_key
from organisation.models import Directorate
from organisation.roles import is_hub, may_read_exceptions
from reporting.exceptions import (
    LIST_KINDS,
    exception_entry_review,
    exception_page_rows,
    reported_history_recompute,
)
from reporting.models import ExceptionEntry, ExceptionList, ExceptionReason, HistoryRecompute


def _require_reader(user) -> None:
    if not may_read_exceptions(user):
        raise PermissionDenied("Exception lists are for the Strategic Intelligence Hub and CMT.")


def _page_context(request, *, errors=None, failed_entry=None, note=""):
    lists = list(ExceptionList.objects.filter(period__kind__in=LIST_KINDS).select_related("period"))
    directorates = list(Directorate.objects.order_by("name"))
    by_key = {lst.period.key: lst for lst in lists}
    raw_period = request.GET.get("period") or request.POST.get("period") or ""
    raw_period = canonical_period_key(raw_period) or raw_period
    notices = []
    chosen = by_key.get(raw_period)
    if raw_period and chosen is None:
        notices.append("There is no exception list for that period: showing the latest.")
    if chosen is None and lists:
        # The latest month's list by default: what CMT looks at first.
        chosen = max(lists, key=lambda lst: (lst.period.end, lst.period.kind == "month"))
    raw_directorate = request.GET.get("directorate") or request.POST.get("directorate") or ""
    directorate = next((d for d in directorates if d.slug == raw_directorate), None)
    if raw_directorate and directorate is None:
        notices.append("There is no such directorate: showing every directorate.")
    rows = (
        exception_page_rows(period=chosen.period, directorate_id=directorate.id if directorate else None)
        if chosen
        else []
    )
    _add_clinics(request.user, rows, chosen.period if chosen else None)
    return {
        "lists": sorted(lists, key=lambda lst: (-lst.period.start.toordinal(), lst.period.kind)),
        "chosen": chosen,
        "chosen_key": chosen.period.key if chosen else "",
        "directorates": directorates,
        "directorate": directorate,
        "rows": rows,
        "notices": notices,
        "reason_labels": dict(ExceptionReason.choices),
        "can_review": is_hub(request.user),
        "history_log": list(
            HistoryRecompute.objects.filter(period=chosen.period).select_related("recomputed_by")[:20]
        )
        if chosen
        else [],
        "errors": errors or {},
        "failed_entry": failed_entry,
        "note": note,
        "nav_section": "exceptions",
    }


def _add_clinics(user, rows, period) -> None:
    """Each row's "clinic suggested" reason, its clinics and remedial plan, and (for those who may
    request one) the request link. Three queries (suggestions: two; clinics: one), none without rows.

    Exception lists are read by the hub and CMT, who may request a clinic for any indicator, so the
    indicator's boards (which widen the right only for board members) are not read here.
    """
    if not rows:
        return
    suggested = {s["indicator_id"]: s for s in clinic_services.suggestions(period)}
    marks = clinic_services.clinic_marks([row.entry.indicator_id for row in rows])
    for row in rows:
        indicator = row.entry.indicator
        row.clinic_suggestion = suggested.get(indicator.id)
        row.clinic_mark = marks.get(indicator.id)
        if row.clinic_mark and row.clinic_mark.open_clinic:
            continue  # a clinic is already requested or scheduled: no second request offered
        if not clinic_services.may_request_for(user, indicator):
            continue
        if row.clinic_suggestion:
            reason = "Clinic suggested: " + "; ".join(row.clinic_suggestion["reason_labels"]).lower() + "."
        else:
            reason = "On the exception list: " + "; ".join(row.entry.reason_labels).lower() + "."
        row.clinic_request_url = clinic_services.request_url(
            [row.reference], period, reason, source=RequestSource.EXCEPTION_LIST
        )


@login_required
def exception_list(request):
    _require_reader(request.user)
    context = _page_context(request)
    template = "reporting/exceptions/list.html"
    if request.htmx and request.htmx.target == "exception-results":
        template += "#results"
    return render(request, template, context)


@login_required
@require_POST
def exception_review(request, entry_id: int):
    """The hub marks an entry reviewed; other readers get a 403, a missing entry a 404."""
    _require_reader(request.user)
    if not ExceptionEntry.objects.filter(id=entry_id).exists():
        raise Http404("No such exception entry.")
    note = request.POST.get("note", "")
    try:
        exception_entry_review(entry_id=entry_id, user=request.user, note=note)
    except ValidationError as error:
        context = _page_context(request, errors=error.message_dict, failed_entry=entry_id, note=note[:2000])
        return render(request, "reporting/exceptions/list.html", context, status=400)
    query = urlencode({k: request.POST[k] for k in ("period", "directorate") if request.POST.get(k)})
    url = reverse("exceptions:list") + (f"?{query}" if query else "")
    return redirect(f"{url}#entry-{entry_id}")


@login_required
@require_POST
def exception_history_recompute(request):
    """The hub deliberately rewrites a period's as-reported assessments from the current ones.

    What committees saw is otherwise never re-coloured; this is the one, logged, way to do it
    (e.g. after a data error was corrected), and it needs a reason.
    """
    _require_reader(request.user)
    context = _page_context(request)
    chosen = context["chosen"]
    if chosen is None:
        raise Http404("There is no exception list for that period.")
    try:
        reported_history_recompute(
            period=chosen.period, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        context.update(errors=error.message_dict, failed_entry="history")
        return render(request, "reporting/exceptions/list.html", context, status=400)
    query = {"period": chosen.period.key}
    if request.POST.get("directorate"):
        query["directorate"] = request.POST["directorate"]
    return redirect(reverse("exceptions:list") + f"?{urlencode(query)}#history")
