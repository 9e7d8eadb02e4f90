"""Workbook imports of results: upload, preview, confirm."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from indicators.data_entry.forms import UploadForm
from indicators.data_entry.import_flow import import_job_page, import_job_progress, plural
from indicators.data_entry.services.imports import import_upload as start_import
from indicators.models import ImportBatch
from organisation.roles import is_hub, may_import


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
        batch = start_import(
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


# Comparator-value imports share ImportBatch but are confirmed at /benchmarks/import/.
RESULT_AND_TARGET_BATCHES = ImportBatch.objects.exclude(kind="comparators")


def _written(summary: dict) -> str:
    if summary.get("targets"):
        return f"{plural(summary['results_written'], 'target')} written"
    return (
        f"{plural(summary['results_written'], 'result')} written, "
        f"{plural(summary['indicators_created'], 'indicator')} created"
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview_view(request, batch_id):
    return import_job_page(
        request,
        batch_id,
        batches=RESULT_AND_TARGET_BATCHES,
        describe=_written,
        url_name="data_entry:import_preview",
        progress_url_name="data_entry:import_progress",
        template="indicators/imports/preview.html",
        nav_section="returns",
    )


@login_required
@require_http_methods(["GET"])
def import_progress(request, batch_id):
    return import_job_progress(
        request,
        batch_id,
        batches=RESULT_AND_TARGET_BATCHES,
        url_name="data_entry:import_preview",
        progress_url_name="data_entry:import_progress",
    )
