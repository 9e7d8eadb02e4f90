"""Benchmarking pages for the hub: comparator groups, and importing comparator values.

Hub only: every view checks the role first (403 for anyone else signed in; anonymous visitors are
sent to sign in), the import pages again where they fetch the batch, and the services again before
writing. The import runs as a job, as result imports do: the upload answers at once and the page
shows the worker's progress (htmx polling; a Refresh link without JavaScript).
"""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from indicators.access import can_see_import
from indicators.benchmarks.services import BATCH_KIND, comparator_groups_overview, comparator_values_upload
from indicators.data_entry.import_flow import import_job_page, import_job_progress, plural
from indicators.forms import GovukForm
from indicators.models import ComparatorGroup, ImportBatch
from organisation.roles import is_hub


class ComparatorUploadForm(GovukForm):
    file = forms.FileField(
        label="Workbook or CSV file",
        help_text="An .xlsx or .csv file with one row per value and the columns Indicator reference, "
        "Period, Organisation and Value.",
        error_messages={"required": "Choose an .xlsx or .csv file to import"},
    )
    create_organisations = forms.BooleanField(
        required=False,
        label="Create new organisations",
        help_text="Add organisations the portal does not know yet. Untick to have them reported instead.",
    )
    group = forms.ModelChoiceField(
        queryset=ComparatorGroup.objects.order_by("name"),
        required=False,
        label="Comparator group for new organisations (optional)",
        help_text="Organisations this import creates join this group.",
        empty_label="No group",
        error_messages={"invalid_choice": "Choose one of the comparator groups listed"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )


def _hub_or_403(user) -> None:
    if not is_hub(user):
        raise PermissionDenied("Benchmarking data is maintained by the Strategic Intelligence Hub.")


@login_required
def groups(request):
    _hub_or_403(request.user)
    comparator_groups, ungrouped = comparator_groups_overview()
    return render(
        request,
        "indicators/benchmarks/groups.html",
        {"groups": comparator_groups, "ungrouped": ungrouped, "nav_section": "benchmarks"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    _hub_or_403(request.user)
    form = ComparatorUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read one byte past the limit, never the whole of an oversized upload.
        data = upload.read(settings.KPI_IMPORT_MAX_BYTES + 1)
        batch = comparator_values_upload(
            user=request.user,
            filename=upload.name,
            data=data,
            size=upload.size,
            create_organisations=form.cleaned_data["create_organisations"],
            group=form.cleaned_data["group"],
        )
        return redirect("benchmarks:import_preview", batch_id=batch.pk)
    return render(
        request,
        "indicators/benchmarks/upload.html",
        {
            "form": form,
            "max_mb": f"{settings.KPI_IMPORT_MAX_BYTES / 1048576:g} MB",
            "nav_section": "benchmarks",
        },
        status=400 if form.errors else 200,
    )


COMPARATOR_BATCHES = ImportBatch.objects.filter(kind=BATCH_KIND)


def _hub_sees(user, batch) -> bool:
    """Who sees a comparator import job: the hub only (as with result imports, any hub member
    sees it and only the uploader confirms it)."""
    return is_hub(user) and can_see_import(user, batch)


def _written(summary: dict) -> str:
    return (
        f"{plural(summary['values_written'], 'comparator value')} written, "
        f"{plural(summary['organisations_created'], 'organisation')} created"
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request, batch_id):
    _hub_or_403(request.user)
    return import_job_page(
        request,
        batch_id,
        batches=COMPARATOR_BATCHES,
        describe=_written,
        url_name="benchmarks:import_preview",
        progress_url_name="benchmarks:import_progress",
        template="indicators/benchmarks/preview.html",
        nav_section="benchmarks",
        may_see=_hub_sees,
    )


@login_required
@require_http_methods(["GET"])
def import_progress(request, batch_id):
    _hub_or_403(request.user)
    return import_job_progress(
        request,
        batch_id,
        batches=COMPARATOR_BATCHES,
        url_name="benchmarks:import_preview",
        progress_url_name="benchmarks:import_progress",
        may_see=_hub_sees,
    )
