"""Targets: the hub's annual targets and profiles, by form or by workbook."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from indicators.data_entry.forms import TargetForm, UploadForm
from indicators.data_entry.services.imports import import_upload
from indicators.data_entry.services.targets import can_set_targets, target_set
from indicators.models import Indicator
from indicators.services.periods import ensure_periods


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
    targets = indicator.targets.select_related("period", "set_by").order_by(
        "period__end", "period__kind", "period__start"
    )
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
        batch = import_upload(
            user=request.user, filename=upload.name, data=data, targets=True, size=upload.size
        )
        return redirect("data_entry:import_preview", batch_id=batch.pk)
    return render(
        request,
        "indicators/targets/import.html",
        {"form": form, "nav_section": "targets"},
        status=400 if form.errors else 200,
    )
