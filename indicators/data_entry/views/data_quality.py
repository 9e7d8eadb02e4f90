"""Data quality: the six standards per service and directorate, and the records behind each figure."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from indicators.data_entry.services.data_quality import RECORD_KINDS, data_quality
from organisation.calendar import reporting_date
from organisation.roles import may_read_data_quality


def _require_data_quality_reader(user) -> None:
    if not may_read_data_quality(user):
        raise PermissionDenied("Your role does not give access to this page.")


@login_required
def data_quality_page(request):
    _require_data_quality_reader(request.user)
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
    _require_data_quality_reader(request.user)
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
