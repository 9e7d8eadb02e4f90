"""Returns: the results officers owe, when each is due, and where each stands.

A return is due for every active indicator and every period of its frequency, on the period's end
plus the indicator's submission lag, judged against the council's reporting date
(`ReportingCalendar.as_of`, else today). It is overdue only once the due date is strictly before
the reporting date (`is_past_due`, the rule the exception lists and data quality share).

Reads only, in a fixed number of queries whatever the number of indicators: the reporting date,
the officer's indicators, the periods, and the results — four queries. Periods are worked out in
Python (`indicators.periods`) and never created by a page view; a return whose period has no row
yet is simply one with no result.

Product decisions (what a council would expect where the framework is silent), and why:
* `/returns/` lists the returns of periods that ended in the twelve months up to the reporting
  date, plus those falling due within the next `LOOKAHEAD_DAYS` (the reminder window) —
  except approved ones, which are done. Older gaps are the data-quality page's business.
* "Returns" are those of indicators the user enters (data officer) or answers for (responsible
  officer); a head of service sees their service's indicators too.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Min, Q

from indicators.analytics.exceptions import due_date, is_past_due
from indicators.analytics.series import FREQUENCY_KIND
from indicators.models import Indicator, Period, Result
from indicators.periods import period_bounds, period_key, period_starts_between
from organisation.calendar import reporting_date
from organisation.roles import heads_service, is_hub, service_id_of

LOOKAHEAD_DAYS = 5
WINDOW_DAYS = 366


def first_result_starts(indicator_ids) -> dict[int, datetime.date]:
    """{indicator id: start of the earliest period with any result}: one query.

    Indicators have no start-date field, so an indicator begins with its first result: periods
    before it are not returns it owed (the exception lists apply the same rule).
    """
    return dict(
        Result.objects.filter(indicator_id__in=indicator_ids)
        .values("indicator_id")
        .annotate(first=Min("period__start"))
        .values_list("indicator_id", "first")
    )


@dataclass
class Return:
    indicator: Indicator
    kind: str
    start: datetime.date
    end: datetime.date
    label: str
    due: datetime.date
    result: Result | None
    as_of: datetime.date

    @property
    def state(self) -> str:
        """due, overdue, draft, submitted, returned or approved."""
        if self.result is not None:
            return self.result.status
        return "overdue" if is_past_due(self.due, self.as_of) else "due"

    @property
    def state_label(self) -> str:
        return {
            "due": "Due",
            "overdue": "Overdue",
            "draft": "Draft",
            "submitted": "Submitted",
            "returned": "Returned for changes",
            "approved": "Approved",
        }[self.state]

    @property
    def days_overdue(self) -> int:
        return max(0, (self.as_of - self.due).days)

    @property
    def url_key(self) -> str:
        """This return's period as its URL writes it (`indicators.periods.period_key`)."""
        return period_key(self.kind, self.start)

    @property
    def version(self) -> int:
        return self.result.version if self.result else 0


def return_period_keys(
    frequency: str, as_of: datetime.date, *, lag_days: int, window_days: int = WINDOW_DAYS
) -> list[tuple[str, datetime.date, datetime.date, str]]:
    """(kind, start, end, label) of the periods whose return is in the window around `as_of`.

    Pure. A period is in when it ended within `window_days` before `as_of`, or its due date is
    within `LOOKAHEAD_DAYS` after it (a period still running is never due).
    """
    kind = FREQUENCY_KIND[frequency]
    first = as_of - datetime.timedelta(days=window_days)
    keys = []
    for start in period_starts_between(kind, first, as_of):
        _, end, label, _ = period_bounds(kind, start)
        if end < first or end >= as_of:
            continue
        keys.append((kind, start, end, label))
    return keys


def entry_indicators(user):
    """Active indicators whose results this user enters or answers for."""
    mine = Q(data_entry_officers=user) | Q(responsible_officer=user)
    if heads_service(user, service_id_of(user)):
        mine |= Q(service_id=service_id_of(user))
    ids = Indicator.objects.filter(mine).values("id")
    return Indicator.objects.filter(id__in=ids, is_active=True)


def returns_for(
    user,
    *,
    as_of: datetime.date | None = None,
    include_approved: bool = False,
    period: str | None = None,
) -> list[Return]:
    """The user's returns, most overdue first. Four queries whatever the number of indicators."""
    as_of = as_of or reporting_date()
    indicators = list(entry_indicators(user).select_related("service").order_by("reference"))
    wanted: dict[int, list] = {}
    all_keys = set()
    for indicator in indicators:
        keys = return_period_keys(indicator.frequency, as_of, lag_days=indicator.submission_lag_days)
        if period:
            keys = [k for k in keys if period_key(k[0], k[1]) == period]
        wanted[indicator.id] = keys
        all_keys.update((k[0], k[1]) for k in keys)
    periods = (
        {
            (p.kind, p.start): p.id
            for p in Period.objects.filter(
                start__in={s for _, s in all_keys}, kind__in={k for k, _ in all_keys}
            )
        }
        if all_keys
        else {}
    )
    results = {}
    if periods and indicators:
        for result in Result.objects.filter(
            indicator_id__in=[i.id for i in indicators], period_id__in=periods.values()
        ).select_related("period"):
            results[(result.indicator_id, result.period.kind, result.period.start)] = result
    rows = []
    for indicator in indicators:
        for kind, start, end, label in wanted[indicator.id]:
            result = results.get((indicator.id, kind, start))
            if result is not None and result.status == Result.Status.APPROVED and not include_approved:
                continue
            rows.append(
                Return(
                    indicator=indicator,
                    kind=kind,
                    start=start,
                    end=end,
                    label=label,
                    due=due_date(end, indicator.submission_lag_days),
                    result=result,
                    as_of=as_of,
                )
            )
    order = {"returned": 0, "overdue": 1, "due": 2, "draft": 3, "submitted": 4, "approved": 5}
    rows.sort(key=lambda r: (order[r.state], r.due, r.indicator.reference))
    return rows


NEEDS_ATTENTION = ("returned", "overdue")


def returns_needing_attention(user, *, as_of: datetime.date | None = None) -> list[Return]:
    """The user's returns sent back for changes, then those overdue (most overdue first): what
    the home page lists before anything else. The same four queries as `returns_for`."""
    return [r for r in returns_for(user, as_of=as_of) if r.state in NEEDS_ATTENTION]


def approvals_for(user):
    """Submitted results this user may approve, oldest submission first."""
    queryset = Result.objects.filter(status=Result.Status.SUBMITTED).select_related(
        "indicator__service", "period", "submitted_by"
    )
    # The same people as `indicators.access.can_approve_results`, written as a query.
    if not is_hub(user):
        mine = Q(indicator__responsible_officer=user)
        if heads_service(user, service_id_of(user)):
            mine |= Q(indicator__service_id=service_id_of(user))
        queryset = queryset.filter(mine)
    return queryset.order_by("submitted_at", "id")
