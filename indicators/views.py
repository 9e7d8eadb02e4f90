from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render

from indicators.access import can_approve_results
from indicators.charts import add_insights
from indicators.filters import SORTS, IndicatorFilter
from indicators.selectors import indicator_insights, indicator_page, library_queryset, result_history
from indicators.services.recompute_marks import stale_indicator_ids

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
    context = {
        "page": page,
        "insights": insights,
        "history": history,
        "can_restore": can_approve_results(request.user, page.indicator),
        # A result or target changed and its recompute has not run yet (broker down, or queued).
        "recalculating": bool(stale_indicator_ids([page.indicator.id])),
        "nav_section": "indicators",
    }
    return render(request, "indicators/detail.html", context)
