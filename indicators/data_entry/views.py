"""Data entry pages: returns, the bulk grid, approvals, history and audit, imports and exports.

Views parse, call a service or selector, and render. Permission is checked where each object is
fetched (`_entry_indicator`, `_approvable_result`); services check again before writing.
Every page works as plain HTML forms; htmx, when present, swaps just the row or form.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from indicators.access import can_approve_results
from indicators.data_entry.import_flow import import_preview_or_confirm, plural
from indicators.data_entry.services.data_quality import RECORD_KINDS, data_quality
from indicators.data_entry.services.exports import export_results_rows, export_template_rows, library_rows
from indicators.data_entry.services.imports import import_apply, import_preview, is_hub, may_import
from indicators.data_entry.services.results import (
    ResultConflict,
    can_enter_results,
    result_approve,
    result_restore,
    result_return,
    result_save_draft,
    result_submit,
)
from indicators.data_entry.services.returns import (
    Return,
    approvals_for,
    due_date,
    returns_for,
)
from indicators.data_entry.services.targets import can_set_targets, target_set
from indicators.forms import (
    RestoreForm,
    ResultEntryForm,
    ReturnDecisionForm,
    TargetForm,
    UploadForm,
    new_form_key,
)
from indicators.models import ImportBatch, Indicator, Result, ResultChange
from indicators.periods import canonical_period_key, ensure_periods, parse_period_key, period_bounds
from indicators.selectors import result_history
from indicators.workbooks.export import CONTENT_TYPES, write_table
from organisation.calendar import reporting_date
from organisation.models import Role
from organisation.roles import role_of

AUDIT_ROLES = {Role.AUDITOR, Role.HUB}


def _require_role(user, roles) -> None:
    if not (user.is_superuser or role_of(user) in roles):
        raise PermissionDenied("Your role does not give access to this page.")


def _entry_indicator(user, reference: str) -> Indicator:
    """The indicator, if this user may enter its results: 404 unknown, 403 not theirs."""
    indicator = Indicator.objects.select_related("service").filter(reference=reference).first()
    if indicator is None:
        raise Http404("No such indicator.")
    if not can_enter_results(user, indicator):
        raise PermissionDenied("You can only enter results for indicators assigned to you.")
    return indicator


def _return_for(user, reference: str, period: str) -> Return:
    indicator = _entry_indicator(user, reference)
    parsed = parse_period_key(period)
    if parsed is None:
        raise Http404("No such period.")
    kind, start = parsed
    _, end, label, _ = period_bounds(kind, start)
    result = (
        Result.objects.filter(indicator=indicator, period__kind=kind, period__start=start)
        .select_related("period")
        .first()
    )
    return Return(
        indicator=indicator,
        kind=kind,
        start=start,
        end=end,
        label=label,
        due=due_date(end, indicator.submission_lag_days),
        result=result,
        as_of=reporting_date(),
    )


def _uses_fraction(indicator: Indicator) -> bool:
    return indicator.unit in (Indicator.Unit.PERCENTAGE, Indicator.Unit.RATIO)


def _entry_form(ret: Return, data=None, prefix=None) -> ResultEntryForm:
    from indicators.formatting import decimal_text  # plain "100", never "1E+2"

    initial = {"version": ret.version, "key": new_form_key()}
    if ret.result is not None:
        r = ret.result
        initial.update(
            value=decimal_text(r.value),
            numerator=decimal_text(r.numerator) if r.numerator is not None else None,
            denominator=decimal_text(r.denominator) if r.denominator is not None else None,
            commentary=r.commentary,
            is_provisional=r.is_provisional,
            is_proxy=r.is_proxy,
        )
    return ResultEntryForm(data, initial=initial, prefix=prefix, uses_fraction=_uses_fraction(ret.indicator))


def _save(user, ret: Return, form: ResultEntryForm, action: str):
    """Validate and save one return; returns (outcome, conflict). Errors land on the form."""
    if not form.is_valid():
        return None, None
    period = ensure_periods([(ret.kind, ret.start)])[(ret.kind, ret.start)]
    service = result_submit if action == "submit" else result_save_draft
    try:
        return service(user=user, indicator=ret.indicator, period=period, **form.service_fields()), None
    except ValidationError as error:
        form.add_error(None, error)
    except ResultConflict as conflict:
        form.add_error(None, str(conflict))
        return None, conflict
    return None, None


@login_required
def returns_list(request):
    rows = returns_for(request.user)
    counts = {}
    for row in rows:
        counts[row.state] = counts.get(row.state, 0) + 1
    periods = sorted({(r.start, r.kind, r.label, r.period_key) for r in rows}, reverse=True)
    context = {
        "rows": rows,
        "counts": counts,
        "as_of": reporting_date(),
        "periods": [(slug, label) for _, _, label, slug in periods],
        "nav_section": "returns",
    }
    return render(request, "indicators/returns/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_entry(request, reference, period):
    key = canonical_period_key(period)
    if key and key != period and request.method == "GET":  # a bookmark in an earlier form
        return redirect("data_entry:entry", reference, key, permanent=True)
    ret = _return_for(request.user, reference, key or period)
    conflict = None
    if request.method == "POST":
        action = "submit" if request.POST.get("action") == "submit" else "draft"
        form = _entry_form(ret, request.POST)
        outcome, conflict = _save(request.user, ret, form, action)
        if outcome is not None:
            ret.result = outcome.result
            verb = "submitted for approval" if outcome.result.status == "submitted" else "saved as a draft"
            message = f"{ret.indicator.reference} {ret.label}: result {verb}."
            if request.htmx:
                return render(
                    request, "indicators/returns/list.html#row", {"row": ret, "saved_message": message}
                )
            messages.success(request, message)
            return redirect("data_entry:returns")
        if conflict is not None:
            # Show the other person's version, and let this user start again from it.
            ret.result = conflict.current
            fresh = _entry_form(ret)
            fresh._errors = form.errors
            form = fresh
    else:
        form = _entry_form(ret)
    if request.htmx:
        return render(
            request, "indicators/returns/list.html#row", {"row": ret, "form": form, "conflict": conflict}
        )
    context = {"ret": ret, "form": form, "conflict": conflict, "nav_section": "returns"}
    return render(request, "indicators/returns/entry.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def returns_bulk(request):
    """All of the user's returns for one period on one page, saved together row by row.

    Each row is its own transaction: a row with an error keeps what was typed and shows its
    message, while the other rows are saved.
    """
    period = request.GET.get("period") or request.POST.get("period") or ""
    if parse_period_key(period) is None:
        all_rows = returns_for(request.user)
        periods = sorted({(r.start, r.kind, r.label, r.period_key) for r in all_rows}, reverse=True)
        return render(
            request,
            "indicators/returns/bulk_choose.html",
            {"periods": [(slug, label) for _, _, label, slug in periods], "nav_section": "returns"},
        )
    rows = returns_for(request.user, period=period, include_approved=False)
    entries = []
    saved = 0
    for ret in rows:
        prefix = f"r-{ret.indicator.reference}"
        if request.method == "POST":
            form = _entry_form(ret, request.POST, prefix=prefix)
            if not form.has_changed() or not request.POST.get(f"{prefix}-value", "").strip():
                form = _entry_form(ret, prefix=prefix)  # left blank: nothing to save
            else:
                outcome, _ = _save(request.user, ret, form, request.POST.get("action", "draft"))
                if outcome is not None:
                    saved += 0 if outcome.repeated else 1
                    ret.result = outcome.result
                    form = _entry_form(ret, prefix=prefix)
        else:
            form = _entry_form(ret, prefix=prefix)
        entries.append((ret, form))
    errors = [(ret, form) for ret, form in entries if form.errors]
    if request.method == "POST" and not errors:
        messages.success(request, f"{saved} result{'s' if saved != 1 else ''} saved.")
        return redirect(f"{reverse('data_entry:bulk')}?period={period}")
    label = rows[0].label if rows else period
    context = {
        "entries": entries,
        "errors": errors,
        "saved": saved,
        "period": period,
        "label": label,
        "nav_section": "returns",
    }
    return render(request, "indicators/returns/bulk.html", context, status=200)


# --- Approvals -------------------------------------------------------------------------------


def _approvable_result(user, result_id: int) -> Result:
    result = get_object_or_404(Result.objects.select_related("indicator__service", "period"), pk=result_id)
    if not can_approve_results(user, result.indicator):
        raise PermissionDenied("Only the responsible officer or head of service can approve this result.")
    return result


@login_required
def approvals_list(request):
    role = role_of(request.user)
    if not (
        request.user.is_superuser
        or role in (Role.HEAD, Role.HUB)
        or request.user.responsible_for_indicators.exists()
    ):
        raise PermissionDenied("Approving results is for responsible officers and heads of service.")
    results = list(approvals_for(request.user))
    forms = [
        (r, ReturnDecisionForm(initial={"version": r.version, "key": new_form_key()}, prefix=f"a{r.pk}"))
        for r in results
    ]
    return render(
        request, "indicators/returns/approvals.html", {"entries": forms, "nav_section": "approvals"}
    )


@login_required
@require_POST
def approval_decide(request, result_id):
    result = _approvable_result(request.user, result_id)
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
    return render(
        request,
        "indicators/returns/approvals.html",
        {"entries": [(result, form)], "nav_section": "approvals", "single": True},
        status=400,
    )


# --- History and audit -----------------------------------------------------------------------


@login_required
def audit(request):
    """The full change history of results and targets, newest first, for internal audit and the hub."""
    _require_role(request.user, AUDIT_ROLES)
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
    result = _approvable_result(request.user, result_id)
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


# --- Imports and exports ---------------------------------------------------------------------


def _may_import_or_403(user) -> None:
    if not may_import(user):
        raise PermissionDenied("Importing results is for data officers, heads of service and the hub.")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _may_import_or_403(request.user)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        limit = settings.KPI_IMPORT_MAX_BYTES
        # Read one byte past the limit, never the whole of an oversized upload.
        data = upload.read(limit + 1)
        batch = import_preview(
            user=request.user,
            filename=upload.name,
            data=data,
            service=form.cleaned_data.get("service") if is_hub(request.user) else None,
            size=upload.size,
        )
        return redirect("data_entry:import_preview", batch_id=batch.pk)
    return render(
        request,
        "indicators/imports/upload.html",
        {
            "form": form,
            "is_hub": is_hub(request.user),
            "max_mb": f"{settings.KPI_IMPORT_MAX_BYTES / 1048576:g} MB",
            "nav_section": "returns",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview_view(request, batch_id):
    return import_preview_or_confirm(
        request,
        batch_id,
        # Comparator-value imports share ImportBatch but are confirmed at /benchmarks/import/.
        batches=ImportBatch.objects.exclude(kind="comparators"),
        apply=import_apply,
        describe=lambda summary: (
            f"{plural(summary['results_written'], 'target')} written"
            if summary.get("targets")
            else f"{plural(summary['results_written'], 'result')} written, "
            f"{plural(summary['indicators_created'], 'indicator')} created"
        ),
        url_name="data_entry:import_preview",
        template="indicators/imports/preview.html",
        nav_section="returns",
    )


def _export_response(rows, *, fmt: str, filename: str, title: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("Export as .xlsx or .csv.")
    response = HttpResponse(write_table(rows, fmt=fmt, title=title), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def export_results(request, fmt):
    """Approved results in the bulk template layout, for one period or one indicator (or all visible)."""
    rows, name = export_results_rows(
        request.user, period=request.GET.get("period"), reference=request.GET.get("indicator")
    )
    return _export_response(rows, fmt=fmt, filename=name, title="Results")


@login_required
def export_template(request, fmt):
    """The bulk results template for one period: the user's own indicators, current values filled in."""
    parsed = parse_period_key(request.GET.get("period"))
    if parsed is None:
        raise Http404("Choose a period, e.g. ?period=2015-12.")
    rows, name = export_template_rows(request.user, *parsed)
    return _export_response(rows, fmt=fmt, filename=name, title="Template")


@login_required
def export_library(request, fmt):
    return _export_response(
        library_rows(request.user), fmt=fmt, filename="indicator-library", title="Indicators"
    )


# --- Data quality ----------------------------------------------------------------------------

DATA_QUALITY_ROLES = {Role.HUB, Role.AUDITOR, Role.CMT, Role.DIRECTOR, Role.HEAD}


@login_required
def data_quality_page(request):
    _require_role(request.user, DATA_QUALITY_ROLES)
    council, directorates, services = data_quality(request.user)
    context = {
        "council": council,
        "directorates": directorates,
        "services": services,
        "as_of": reporting_date(),
        "nav_section": "data_quality",
    }
    return render(request, "indicators/data_quality/page.html", context)


@login_required
def data_quality_records(request):
    """The records behind one figure: ?group=service-3&kind=missing."""
    _require_role(request.user, DATA_QUALITY_ROLES)
    kind, group = request.GET.get("kind", ""), request.GET.get("group", "")
    if kind not in RECORD_KINDS:
        raise Http404("No such data-quality measure.")
    council, directorates, services = data_quality(request.user)
    scores = next((s for s in [council, *directorates, *services] if s.key == group), None)
    if scores is None:
        raise Http404("No such service or directorate.")
    context = {
        "scores": scores,
        "kind_label": RECORD_KINDS[kind],
        "records": scores.records.get(kind, []),
        "nav_section": "data_quality",
    }
    return render(request, "indicators/data_quality/records.html", context)


# --- Targets ---------------------------------------------------------------------------------


def _hub_only(user) -> None:
    if not can_set_targets(user):
        raise PermissionDenied("Targets are set by the Strategic Intelligence Hub.")


@login_required
def targets_index(request):
    _hub_only(request.user)
    reference = (request.GET.get("indicator") or "").strip()[:20]
    if reference:
        if Indicator.objects.filter(reference=reference).exists():
            return redirect("data_entry:targets_indicator", reference=reference)
        messages.error(request, f"There is no indicator {reference}. Check the reference ID.")
    return render(
        request, "indicators/targets/index.html", {"reference": reference, "nav_section": "targets"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_indicator(request, reference):
    _hub_only(request.user)
    indicator = get_object_or_404(Indicator, reference=reference)
    form = TargetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        period = ensure_periods([form.cleaned_data["period"]])[form.cleaned_data["period"]]
        try:
            changed = target_set(
                user=request.user,
                indicator=indicator,
                period=period,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Target for {period.label} {'saved' if changed else 'unchanged'}.")
            return redirect("data_entry:targets_indicator", reference=reference)
    targets = indicator.targets.select_related("period", "set_by").order_by("period__start", "period__kind")
    context = {"indicator": indicator, "targets": targets, "form": form, "nav_section": "targets"}
    return render(request, "indicators/targets/indicator.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request):
    _hub_only(request.user)
    form = UploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    del form.fields["service"]
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(settings.KPI_IMPORT_MAX_BYTES + 1)
        batch = import_preview(
            user=request.user, filename=upload.name, data=data, targets=True, size=upload.size
        )
        return redirect("data_entry:import_preview", batch_id=batch.pk)
    return render(
        request,
        "indicators/targets/import.html",
        {"form": form, "nav_section": "targets"},
        status=400 if form.errors else 200,
    )
