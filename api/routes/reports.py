"""Published committee report versions: the snapshot frozen at publication and its SHA-256.

Anonymous callers get public versions only, with the public snapshot (exempt parts and officers'
names removed at publication: `reporting.reports.snapshot.public_copy`) — the /public/reports/
rule. Token holders get the internal snapshot of published versions their role may read
(`reporting.reports.services.may_read`), and the public one of any other public version.
"""

import datetime

from django.http import Http404
from ninja import Query, Router, Schema

from api.common import caller, paged
from api.routes.indicators import Paging
from api.schemas import Page, Problem
from reporting.reports.models import Report
from reporting.reports.services import may_read

router = Router(tags=["Committee reports"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 422: Problem, 429: Problem}


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    period: str
    version: int
    audience: str  # "internal" or "public": which snapshot this caller gets
    published_at: datetime.datetime | None
    change_note: str
    digest: str
    path: str


class ReportPage(Page):
    items: list[ReportOut]


class ReportDetailOut(ReportOut):
    snapshot: dict


def _readable(user):
    """Published versions the caller may read, each with the audience they read it as."""
    published = (
        Report.objects.filter(status=Report.Status.PUBLISHED)
        .select_related("period", "directorate", "board")
        # The list needs no bodies: the snapshots and HTML are read by the detail only.
        .defer("snapshot", "public_snapshot", "html", "public_html", "data")
        .order_by("-period__start", "kind", "scope_key", "-version", "id")
    )
    rows = []
    for report in published:
        if user.is_authenticated and may_read(user, report):
            rows.append((report, "internal"))
        elif report.is_public:
            rows.append((report, "public"))
    return rows


def _summary(pair) -> dict:
    report, audience = pair
    return {
        "id": report.id,
        "kind": report.kind,
        "title": report.title,
        "period": report.period.key,
        "version": report.version,
        "audience": audience,
        "published_at": report.published_at,
        "change_note": report.change_note,
        "digest": report.digest if audience == "internal" else report.public_digest,
        "path": f"/api/v1/reports/{report.id}",
    }


@router.get("/reports", response={200: ReportPage, **ERRORS}, summary="Published report versions")
def report_list(request, paging: Query[Paging]):
    rows = _readable(caller(request).user)
    return paged(request, rows, paging.page, paging.page_size, _summary)


@router.get(
    "/reports/{report_id}", response={200: ReportDetailOut, **ERRORS}, summary="A published report version"
)
def report_detail(request, report_id: int):
    """The version's snapshot data and its SHA-256 digest (of the canonical JSON, as on the page)."""
    user = caller(request).user
    report = (
        Report.objects.filter(id=report_id, status=Report.Status.PUBLISHED)
        .select_related("period", "directorate", "board")
        .first()
    )
    if report is None:
        raise Http404("No such published report.")
    if user.is_authenticated and may_read(user, report):
        audience, snapshot = "internal", report.snapshot
    elif report.is_public:
        audience, snapshot = "public", report.public_snapshot
    else:
        # An internal-only version is a 404 to anyone who may not read it: its existence is not public.
        raise Http404("No such published report.")
    return {**_summary((report, audience)), "snapshot": snapshot or {}}
