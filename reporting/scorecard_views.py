"""Scorecard, dashboard and public views: parse the URL, call a selector, render.

Permissions are checked where each scorecard's subject is fetched (`reporting.scorecards`).
Scorecards and the dashboard need a signed-in user (anonymous visitors are sent to sign in);
the public pages need nobody and show published indicators only.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from indicators.services.recompute_marks import stale_indicator_ids
from reporting import exports
from reporting.dashboard import dashboard
from reporting.public import OPEN_DATA_FIELDS, open_data_rows, public_indicator, public_overview
from reporting.scorecards import SORTS, VIEWS, scorecard, scorecards_for

EXPORT_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _scorecard_from_request(request, kind, slug):
    return scorecard(
        request.user,
        kind,
        slug,
        period=request.GET.get("period"),
        params=request.GET,
        show_all=request.GET.get("indicators") == "all",
        view=request.GET.get("view"),
    )


@login_required
def scorecard_index(request):
    return render(
        request,
        "reporting/scorecards/index.html",
        {"links": scorecards_for(request.user), "nav_section": "scorecards"},
    )


@login_required
def scorecard_page(request, kind, slug=None):
    fmt = request.GET.get("format")
    if fmt:
        return scorecard_export(request, kind, slug, fmt=fmt)
    card = _scorecard_from_request(request, kind, slug)
    query = request.GET.copy()
    query.pop("format", None)
    stale = stale_indicator_ids()  # the outbox is small: one query, matched here
    context = {
        "card": card,
        "recalculating": sorted(r.indicator.reference for r in card.rows if r.indicator.id in stale),
        "sorts": SORTS,
        "panels": _summary_panels(card, query),
        "clear_url": _query_with(query, rag=None, direction=None, variation=None),
        "view_links": _view_links(card, query),
        "export_query": ("?" + query.urlencode()) if query else "",
        "nav_section": "scorecards",
    }
    template = "reporting/scorecards/scorecard.html"
    if request.htmx and request.htmx.target == "scorecard-body":
        template += "#body"
    return render(request, template, context)


def _query_with(query, **changes) -> str:
    """This page's URL query with some parameters set (or removed when None)."""
    query = query.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode() if query else "?"


def _view_links(card, query) -> list[dict]:
    """The "Show: as reported | current" toggle, for a period that was reported."""
    if card.reported_on is None:
        return []
    return [
        {"key": key, "label": label, "active": card.view == key, "url": _query_with(query, view=key)}
        for key, label in VIEWS.items()
    ]


def _summary_panels(card, query) -> list[dict]:
    """The summary counts, each linking to the table filtered to it (again: filter removed)."""
    panels = []
    for name, title in (
        ("rag", "RAG"),
        ("direction", "Direction of travel"),
        ("variation", "Variation"),
        ("statutory", "Returns to central government"),
    ):
        if name == "statutory" and not card.summary[name][0].count and name not in card.filters:
            continue  # no statutory indicator here: no panel to filter by
        counts = []
        for count in card.summary[name]:
            active = card.filters.get(name) == count.key
            counts.append(
                {
                    "key": count.key,
                    "label": count.label,
                    "count": count.count,
                    "active": active,
                    "url": _query_with(query, **{name: None if active else count.key}),
                }
            )
        panels.append({"name": name, "title": title, "counts": counts})
    return panels


@login_required
def scorecard_export(request, kind, slug=None, fmt="xlsx"):
    if fmt not in EXPORT_FORMATS:
        raise Http404("Scorecards export as .xlsx or .csv.")
    card = _scorecard_from_request(request, kind, slug)
    body = exports.scorecard_xlsx(card) if fmt == "xlsx" else exports.scorecard_csv(card)
    # Which figures the file holds is in its name: as reported and current can differ.
    figures = "as-reported" if card.as_reported else "current"
    # A file is named by the period's label ("dec-2015"), which reads better in a folder than its key.
    period_words = slugify(card.period.label.replace("/", "-")) if card.period else "latest"
    name = f"{slugify(card.title)}-{period_words}-{figures}"
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def dashboard_page(request):
    board = dashboard(request.user, request.GET.get("show"), request.GET)
    template = "reporting/dashboard/dashboard.html"
    if request.htmx and request.htmx.target == "dashboard-body":
        template += "#body"
    return render(request, template, {"board": board, "nav_section": "dashboard"})


def public_page(request):
    groups, summary = public_overview()
    return render(
        request,
        "reporting/public/index.html",
        {"groups": groups, "summary": summary, "nav_section": "public"},
    )


def public_indicator_page(request, reference):
    indicator, assessments, chart = public_indicator(reference)
    context = {"indicator": indicator, "assessments": assessments, "chart": chart, "nav_section": "public"}
    return render(request, "reporting/public/indicator.html", context)


def open_data(request, fmt):
    rows = open_data_rows()
    if fmt == "json":
        return HttpResponse(exports.open_data_json(rows), content_type="application/json; charset=utf-8")
    response = HttpResponse(
        exports.open_data_csv(rows, OPEN_DATA_FIELDS), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kpi-open-data.csv"'
    return response
