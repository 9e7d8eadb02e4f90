"""Returns: the officer's list of due, overdue, draft and returned returns, one return's entry form
(in place with htmx), and the bulk grid for a period.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from indicators.data_entry.forms import ResultEntryForm, new_form_key
from indicators.data_entry.services.approvals import entry_context
from indicators.data_entry.services.notifications import notices_collected
from indicators.data_entry.services.results import (
    UNUSUAL_VALUE,
    ResultConflict,
    can_enter_results,
    result_save_draft,
    result_submit,
    to_decimal_or_none,
)
from indicators.data_entry.services.returns import (
    Return,
    due_date,
    returns_for,
)
from indicators.models import Indicator, Result
from indicators.periods import canonical_period_key, parse_period_key, period_bounds
from indicators.services.periods import ensure_periods
from organisation.calendar import reporting_date


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
        codes = {e.code for errors in getattr(error, "error_dict", {}).values() for e in errors}
        form.needs_confirmation = UNUSUAL_VALUE in codes
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
    periods = sorted({(r.start, r.kind, r.label, r.url_key) for r in rows}, reverse=True)
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
    if request.method == "POST" and request.POST.get("action") == "preview" and not request.htmx:
        # "Check the RAG" without JavaScript: the same page with the typed value judged, nothing saved.
        form = _entry_form(ret, request.POST)
        context = {
            "ret": ret,
            "form": form,
            "entry": _entry_context(ret, request.POST.get("value")),
            "nav_section": "returns",
        }
        return render(request, "indicators/returns/entry.html", context)
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
    typed = (
        request.POST.get("value") if request.method == "POST" else (ret.result.value if ret.result else None)
    )
    context = {
        "ret": ret,
        "form": form,
        "conflict": conflict,
        "entry": _entry_context(ret, typed),
        "nav_section": "returns",
    }
    return render(request, "indicators/returns/entry.html", context)


def _entry_context(ret: Return, raw):
    return entry_context(ret.indicator, ret.kind, ret.start, ret.end, to_decimal_or_none(raw))


@login_required
@require_http_methods(["GET"])
def return_entry_rag(request, reference, period):
    """The RAG the value being typed would get (htmx swaps it in below the value box)."""
    ret = _return_for(request.user, reference, canonical_period_key(period) or period)
    context = {"entry": _entry_context(ret, request.GET.get("value"))}
    return render(request, "indicators/returns/_rag_preview.html", context)


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
        periods = sorted({(r.start, r.kind, r.label, r.url_key) for r in all_rows}, reverse=True)
        return render(
            request,
            "indicators/returns/bulk_choose.html",
            {"periods": [(slug, label) for _, _, label, slug in periods], "nav_section": "returns"},
        )
    rows = returns_for(request.user, period=period, include_approved=False)
    entries = []
    saved = 0
    # One email per person for the whole grid, not one per row (each row still commits alone).
    with notices_collected():
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
