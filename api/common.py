"""What every endpoint shares: the caller, pages of rows, period ranges, CSV, and fetching an
indicator through the same access rule as the pages."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from ninja.errors import AuthenticationError, HttpError

from api.auth import Caller
from indicators.access import visible_indicators
from indicators.models import Indicator
from indicators.periods import parse_period_key, period_bounds
from indicators.workbooks.export import safe_filename, write_table

MAX_PAGE_SIZE = 200


def caller(request) -> Caller:
    return request.api_caller


def signed_in_user(request):
    """The token's user; anonymous callers get a 401 (the page would ask them to sign in)."""
    user = caller(request).user
    if not user.is_authenticated:
        raise AuthenticationError(401, "This needs a personal API token: staff data is not public.")
    return user


def page_size_of(page_size: int | None) -> int:
    return min(MAX_PAGE_SIZE, page_size or settings.KPI_PAGE_SIZE)


def page_bounds(count: int, page: int, page_size: int) -> tuple[int, int]:
    """(offset, end) of `page` (from 1); a page past the end is empty, never an error."""
    offset = (page - 1) * page_size
    return min(offset, count), min(offset + page_size, count)


def paged(request, queryset_or_list, page: int, page_size: int | None, serialise) -> dict:
    """A page of rows: count, page, page_size, next and previous paths, items."""
    size = page_size_of(page_size)
    count = queryset_or_list.count() if isinstance(queryset_or_list, QuerySet) else len(queryset_or_list)
    start, end = page_bounds(count, page, size)
    items = [serialise(row) for row in queryset_or_list[start:end]]
    query = request.GET.copy()

    def link(number):
        query["page"] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return {
        "count": count,
        "page": page,
        "page_size": size,
        "next": link(page + 1) if end < count else None,
        "previous": link(page - 1) if page > 1 and start > 0 else None,
        "items": items,
    }


def period_range(start_key: str | None, end_key: str | None, field: str = "period") -> Q:
    """Periods starting on or after the start of `start` and ending by the end of `end` (period keys
    from indicators.periods: "2015-12", "fy2015-16-q3", "fy2015-16"). A bad key is a 422."""
    condition = Q()
    errors = {}
    for name, raw in (("start", start_key), ("end", end_key)):
        if not raw:
            continue
        parsed = parse_period_key(raw)
        if parsed is None:
            errors[name] = [f"{raw!r} is not a period key: use 2015-12, fy2015-16-q3 or fy2015-16"]
            continue
        start, end, _, _ = period_bounds(*parsed)
        if name == "start":
            condition &= Q(**{f"{field}__start__gte": start})
        else:
            condition &= Q(**{f"{field}__end__lte": end})
    if errors:
        raise Invalid("The period range is not valid.", errors)
    return condition


class Invalid(HttpError):
    """A 422 with per-field errors (rendered as problem details by api.api)."""

    def __init__(self, detail: str, errors: dict[str, list[str]]):
        super().__init__(422, detail)
        self.errors = errors


def indicator_for(request, reference: str) -> Indicator:
    """The indicator if the caller may see it: anonymous callers get a 404 for anything not
    published (so references do not leak), staff a 403 outside their scope — as on the pages."""
    user = caller(request).user
    indicator = (
        visible_indicators(user).select_related("service__directorate").filter(reference=reference).first()
    )
    if indicator is None:
        if user.is_authenticated and Indicator.objects.filter(reference=reference).exists():
            raise PermissionDenied("This indicator is outside your role's scope.")
        raise Http404("No such indicator.")
    return indicator


def csv_response(name: str, header: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(write_table([header, *rows], fmt="csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(name)}.csv"'
    return response


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None
