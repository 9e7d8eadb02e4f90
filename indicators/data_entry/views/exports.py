"""Exports: results, the bulk-entry template and the indicator library, as .xlsx or .csv."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from indicators.data_entry.services.exports import export_results_rows, export_template_rows, library_rows
from indicators.periods import parse_period_key
from indicators.workbooks.export import CONTENT_TYPES, safe_filename, write_table


def _export_response(rows, *, fmt: str, filename: str, title: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("Export as .xlsx or .csv.")
    response = HttpResponse(write_table(rows, fmt=fmt, title=title), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}.{fmt}"'
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
