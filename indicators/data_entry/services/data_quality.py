"""The framework's six data-quality standards as numbers, per service and directorate, in bulk.

One pass over five queries (indicators, periods, results, assessments, history) whatever the
size of the council; every figure keeps the records behind it, so the page can link to them.

Measured over the twelve months up to the reporting date (`WINDOW_DAYS`), on active indicators
the user can see. Definitions (decided here, where the framework is silent):
* completeness — due returns (period ended, due date strictly before the reporting date:
  `returns.is_past_due`, the rule /returns/ and the exception lists share) with a submitted or
  approved result. Periods before the indicator's first result (it has no start-date field) are
  not due, as on the exception lists; an indicator with no result at all owes every return in
  the window (it is also listed under relevance);
* timeliness — of those, the share submitted by the due date (submission time, else entry
  time for imported results), and the median days late of the late ones. Lateness is measured
  at the reporting date: a return sent after the reporting date counts as late by the days
  between its due date and the reporting date (what was known late on that date), never by the
  real clock — so a back-dated reporting date cannot show thousands of days late;
* validity — results failing the unit's rules (`validity_errors`, exactly what forms refuse),
  and results flagged as proxy data;
* reliability — results whose assessment is a point outside the XmR process limits, and results
  awaiting verification (submitted, not yet approved);
* relevance — active indicators with no result at all in twelve months;
* accuracy — results changed after they had been approved (history rows whose old status was
  approved).
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from indicators.access import visible_indicators
from indicators.analytics import constants as c
from indicators.data_entry.services.results import validity_errors
from indicators.data_entry.services.returns import (
    WINDOW_DAYS,
    due_date,
    first_result_starts,
    is_past_due,
    return_period_keys,
)
from indicators.models import Assessment, Period, Result, ResultChange
from organisation.calendar import reporting_date

STANDARDS = ["completeness", "timeliness", "validity", "reliability", "relevance", "accuracy"]
RECORD_KINDS = {
    "missing": "Due returns with no submitted or approved result",
    "late": "Returns submitted after their due date",
    "invalid": "Results failing a validity rule",
    "proxy": "Results flagged as proxy data",
    "outside_limits": "Results outside their series' process limits",
    "awaiting": "Results awaiting verification (submitted, not approved)",
    "no_data": "Active indicators with no data for 12 months",
    "changed_after_approval": "Results changed after approval",
}


@dataclass
class Record:
    reference: str
    title: str
    period: str
    detail: str = ""


@dataclass
class Scores:
    """The six standards for one service, one directorate, or the whole council."""

    name: str
    key: str  # "service-3", "directorate-1", "council"
    indicators: int = 0
    due: int = 0
    present: int = 0
    on_time: int = 0
    days_late: list[int] = field(default_factory=list)
    results: int = 0
    records: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))

    def count(self, kind: str) -> int:
        return len(self.records.get(kind, []))

    def __getattr__(self, name: str):
        # Templates read `missing_count`, `late_count`, ...: the number of records of that kind.
        if name.endswith("_count") and name[: -len("_count")] in RECORD_KINDS:
            return self.count(name[: -len("_count")])
        raise AttributeError(name)

    @property
    def completeness(self) -> float | None:
        return round(100 * self.present / self.due, 1) if self.due else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.present, 1) if self.present else None

    @property
    def median_days_late(self) -> float | None:
        return statistics.median(self.days_late) if self.days_late else None


def data_quality(user, *, as_of: datetime.date | None = None) -> tuple[Scores, list[Scores], list[Scores]]:
    """(council, directorates, services) scores. Fixed number of queries."""
    as_of = as_of or reporting_date()
    since = as_of - datetime.timedelta(days=WINDOW_DAYS)
    indicators = list(
        visible_indicators(user)
        .filter(is_active=True)
        .select_related("service__directorate")
        .order_by("reference")
    )
    ids = [i.id for i in indicators]
    council = Scores("Whole council", "council")
    services, directorates = {}, {}
    groups = {}
    for indicator in indicators:
        service, directorate = indicator.service, indicator.service.directorate
        s = services.setdefault(service.id, Scores(service.name, f"service-{service.id}"))
        d = directorates.setdefault(directorate.id, Scores(directorate.name, f"directorate-{directorate.id}"))
        groups[indicator.id] = (council, d, s)
        for scores in groups[indicator.id]:
            scores.indicators += 1

    def add(indicator, kind, period_label, detail=""):
        for scores in groups[indicator.id]:
            scores.records[kind].append(Record(indicator.reference, indicator.title, period_label, detail))

    periods = {p.id: p for p in Period.objects.filter(end__gte=since, start__lte=as_of)}
    results = defaultdict(dict)
    by_indicator = {i.id: i for i in indicators}
    for r in Result.objects.filter(indicator_id__in=ids, period_id__in=list(periods)).only(
        "indicator_id",
        "period_id",
        "value",
        "numerator",
        "denominator",
        "status",
        "is_proxy",
        "submitted_at",
        "entered_at",
    ):
        results[r.indicator_id][(periods[r.period_id].kind, periods[r.period_id].start)] = r
    first_results = first_result_starts(ids)
    for indicator in indicators:
        series = results[indicator.id]
        first = first_results.get(indicator.id)
        if not series:
            add(indicator, "no_data", "—", "No result in the last 12 months")
        for kind, start, end, label in return_period_keys(
            indicator.frequency, as_of, lag_days=indicator.submission_lag_days
        ):
            due = due_date(end, indicator.submission_lag_days)
            if not is_past_due(due, as_of):
                continue  # not yet due
            if first is not None and start < first:
                continue  # before the indicator's first result: not a return it owed
            for scores in groups[indicator.id]:
                scores.due += 1
            result = series.get((kind, start))
            if result is None or result.status not in (Result.Status.SUBMITTED, Result.Status.APPROVED):
                add(indicator, "missing", label, f"Due {due:%d %b %Y}")
                continue
            sent = result.submitted_at or result.entered_at
            late = (min(timezone.localtime(sent).date(), as_of) - due).days if sent else 0
            for scores in groups[indicator.id]:
                scores.present += 1
                if late <= 0:
                    scores.on_time += 1
                else:
                    scores.days_late.append(late)
            if late > 0:
                add(indicator, "late", label, f"{late} day{'s' if late != 1 else ''} late")
        for result in series.values():
            label = periods[result.period_id].label
            for scores in groups[indicator.id]:
                scores.results += 1
            errors = validity_errors(
                unit=indicator.unit,
                decimal_places=indicator.decimal_places,
                plausible_min=indicator.plausible_min,
                plausible_max=indicator.plausible_max,
                value=result.value,
                numerator=result.numerator,
                denominator=result.denominator,
            )
            if errors:
                add(indicator, "invalid", label, "; ".join(errors.values()))
            if result.is_proxy:
                add(indicator, "proxy", label)
            if result.status == Result.Status.SUBMITTED:
                add(indicator, "awaiting", label)
    for indicator_id, period_id in Assessment.objects.filter(
        indicator_id__in=ids, period_id__in=list(periods), special_cause_rule=c.RULE_OUTSIDE_LIMITS
    ).values_list("indicator_id", "period_id"):
        add(by_indicator[indicator_id], "outside_limits", periods[period_id].label)
    for indicator_id, label, who, when in ResultChange.objects.filter(
        indicator_id__in=ids, old_status=Result.Status.APPROVED, changed_at__date__gte=since
    ).values_list("indicator_id", "period__label", "changed_by__username", "changed_at"):
        add(
            by_indicator[indicator_id],
            "changed_after_approval",
            label,
            f"by {who or 'unknown'} on {when:%d %b %Y}",
        )
    return (
        council,
        sorted(directorates.values(), key=lambda s: s.name),
        sorted(services.values(), key=lambda s: s.name),
    )
