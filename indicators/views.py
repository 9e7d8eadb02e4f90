import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from indicators.access import can_approve_results
from indicators.charts import add_insights, add_series, extra_series
from indicators.filters import SORTS, IndicatorFilter
from indicators.models import Indicator
from indicators.selectors import indicator_insights, indicator_page, library_queryset, result_history
from indicators.services.rebase import RebaseError, decide_rebase
from indicators.services.recompute_marks import stale_indicator_ids
from organisation.roles import is_hub

# The library's columns after Reference, with the sort key each header links to ("" = not sortable).
SORT_COLUMNS = [
    ("title", "Indicator"),
    ("service", "Service"),
    ("", "Latest"),
    ("rag", "RAG"),
    ("direction", "Direction of travel"),
]


def parse_page_number(raw: str | None) -> int | None:
    """The requested page as a positive whole number, or None when it is not one."""
    try:
        number = int(raw or "1")
    except ValueError:
        return None
    return number if number >= 1 else None


def indicator_library(request):
    """The indicator library: search, filters and sort in the URL; htmx swaps just the table."""
    indicator_filter = IndicatorFilter(request.GET or None, queryset=library_queryset(request.user))
    paginator = Paginator(indicator_filter.qs, settings.KPI_PAGE_SIZE)
    requested = parse_page_number(request.GET.get("page"))
    page = paginator.get_page(requested)
    page_notice = ""
    if requested is None or requested != page.number:
        page_notice = (
            f"There is no page {request.GET.get('page', '')[:20]!s} of these results: "
            f"showing page {page.number} of {paginator.num_pages}."
        )
    query = request.GET.copy()
    query.pop("page", None)
    unsorted = query.copy()
    current_sort = unsorted.pop("sort", [""])[-1]
    context = {
        "sort_query": unsorted.urlencode(),
        "sort_columns": SORT_COLUMNS,
        "current_sort": current_sort if current_sort in SORTS else "reference",
        "filter": indicator_filter,
        "page": page,
        "page_notice": page_notice,
        "query": query.urlencode(),
        "nav_section": "indicators",
    }
    template = "indicators/library.html"
    if request.htmx and request.htmx.target == "indicator-results":
        template += "#results"
    return render(request, template, context)


def indicator_detail(request, reference):
    page = indicator_page(request.user, reference)
    # History (data entry): only for those who see drafts — owners, managers, hub and audit.
    history = result_history(request.user, indicator=page.indicator, limit=100) if page.shows_drafts else None
    # Variation, forecast, annotations and benchmarking (three queries), drawn on the same chart.
    insights = indicator_insights(page.indicator)
    add_insights(page.chart, insights)
    # Series the apps above draw on the chart (a remedial plan's trajectory): `chart_series_wanted`.
    series = extra_series(page.indicator, request.user, page.rows)
    add_series(page.chart, series, page.indicator)
    context = {
        "page": page,
        "insights": insights,
        "chart_series": series,
        "history": history,
        "can_restore": can_approve_results(request.user, page.indicator),
        "can_decide_rebase": is_hub(request.user),
        # A result or target changed and its recompute has not run yet (broker down, or queued).
        "recalculating": bool(stale_indicator_ids([page.indicator.id])),
        "nav_section": "indicators",
    }
    return render(request, "indicators/detail.html", context)


@login_required
@require_POST
def rebase_decision(request, reference):
    """The hub accepts or dismisses the rebase suggested after a sustained shift."""
    if not is_hub(request.user):
        raise PermissionDenied(
            "Only the Strategic Intelligence Hub decides on rebasing an indicator's limits."
        )
    indicator = get_object_or_404(Indicator, reference=reference)
    try:
        start = datetime.date.fromisoformat(request.POST.get("shift_start", ""))
    except ValueError:
        start = None
    if start is None:
        messages.error(request, "The suggested rebase's start date is missing or not a date.")
    else:
        try:
            decision = decide_rebase(
                request.user, indicator, start, request.POST.get("decision", ""), request.POST.get("note", "")
            )
        except RebaseError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Rebase from {start:%b %Y} {decision.get_decision_display().split(':')[0].lower()}."
                " The limits are being recalculated.",
            )
    return redirect(f"{indicator.get_absolute_url()}#assurance")
