"""Exception lists: build a period's list once its returns fall due, keep it current, review entries.

Services (writes) and the one selector the exception page needs. Every function runs a fixed number
of queries whatever the number of indicators or periods.

Product decisions the documents leave open, made here:

- A period's list covers the active indicators that report at that period's kind (monthly
  indicators on a month's list, quarterly ones on a quarter's); year lists are not built, since
  the year's outturn is reported through the quarterly and annual reports.
- A period's list is built once its returns fall due: period end + the default submission lag
  (20 days). Returns fall due per indicator (its own lag), and a return that is absent once its
  due date is strictly before the reporting date (`ReportingCalendar`, else today) is "missing"
  (`indicators.data_entry.services.returns.is_past_due`, the rule /returns/ and data quality use too: on
  the due date itself it is not yet missing). Periods before the indicator's first result are
  never missing. A draft or returned result is not a return; a submitted one is (it is with its
  approver).
- Recomputes keep every built list current. An entry that no longer qualifies is removed, unless
  the hub has reviewed it: then it stays, with no reasons, so the review is never lost.
- Building a list also freezes that period's assessments (`ReportedAssessment`): what a committee
  was shown. Only `reported_history_recompute` (hub, with a reason, logged) rewrites them.
"""

import datetime
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from indicators.analytics import constants as c
from indicators.analytics.exceptions import WORSENING_RUN, due_date, exception_reasons
from indicators.analytics.memo import Memo
from indicators.analytics.series import FREQUENCY_KIND
from indicators.data_entry.services.returns import is_past_due
from indicators.models import Assessment, Indicator, Period, Result
from indicators.services.bulk_writes import insert_rows
from indicators.services.plain_sql import list_param, one_of, quoted
from organisation.calendar import reporting_date
from organisation.roles import is_hub
from reporting.models import ExceptionEntry, ExceptionList, HistoryRecompute, ReportedAssessment

LIST_KINDS = (c.MONTH, c.QUARTER)
DEFAULT_LAG_DAYS = Indicator._meta.get_field("submission_lag_days").default
RETURNED = (Result.Status.SUBMITTED, Result.Status.APPROVED)
KIND_FREQUENCY = {kind: freq for freq, kind in FREQUENCY_KIND.items()}
SNAPSHOT_FIELDS = (
    "value",
    "target",
    "rag",
    "direction",
    "variation",
    "assurance",
    "shift_since",
    "forecast_value",
    "forecast_method",
    "forecast_rag",
)


@dataclass(frozen=True, slots=True)
class _ListPeriod:
    kind: str
    start: datetime.date
    end: datetime.date


def _require_hub(user) -> None:
    if user is None or not is_hub(user):
        raise PermissionDenied("Only the Strategic Intelligence Hub can do this.")


# --------------------------------------------------------------------------------------------
# Building and refreshing lists


def _snapshot_rows(period_ids: list[int], now) -> list[ReportedAssessment]:
    # Period by period, so each period's snapshot lies together in the table, as it does when its
    # list is built on its own: a scorecard as reported reads one period's rows. Built in one go
    # (lists caught up at once), the rows came in stored order, indicator by indicator, and one
    # period's 1,000 rows lay on 1,000 pages (issue 12: the as-reported CMT scorecard 14 ms slower).
    return [
        ReportedAssessment(
            indicator_id=row["indicator_id"],
            period_id=row["period_id"],
            reported_at=now,
            **{f: row[f] for f in SNAPSHOT_FIELDS},
        )
        for row in Assessment.objects.filter(period_id__in=period_ids)
        .order_by("period_id", "indicator_id")
        .values("indicator_id", "period_id", *SNAPSHOT_FIELDS)
    ]


@transaction.atomic
def exception_lists_build_due(*, as_of: datetime.date | None = None) -> list[ExceptionList]:
    """Build the list of every month and quarter whose returns have fallen due and that has none yet.

    Freezes those periods' assessments as reported, then fills the new lists. Returns the new lists.
    """
    as_of = as_of or reporting_date()
    latest_end = as_of - datetime.timedelta(days=DEFAULT_LAG_DAYS)
    periods = list(
        Period.objects.filter(kind__in=LIST_KINDS, end__lte=latest_end, exception_list__isnull=True)
        .filter(id__in=Result.objects.values("period_id"))
        .order_by("start")
    )
    if not periods:
        return []
    now = timezone.now()
    ids = [p.id for p in periods]
    ReportedAssessment.objects.filter(period_id__in=ids).delete()
    ReportedAssessment.objects.bulk_create(_snapshot_rows(ids, now), batch_size=2000)
    lists = ExceptionList.objects.bulk_create(
        ExceptionList(period=p, built_at=now, refreshed_at=now, reporting_date=as_of) for p in periods
    )
    exception_lists_refresh(period_ids=ids, as_of=as_of)
    return lists


def exception_list_build(*, period: Period, as_of: datetime.date | None = None) -> ExceptionList:
    """Build (or refresh) one period's list now, whether or not its returns have fallen due."""
    if period.kind not in LIST_KINDS:
        raise ValidationError("Exception lists are built for months and quarters.")
    as_of = as_of or reporting_date()
    with transaction.atomic():
        now = timezone.now()
        exception_list, created = ExceptionList.objects.get_or_create(
            period=period, defaults={"built_at": now, "refreshed_at": now, "reporting_date": as_of}
        )
        if created:
            ReportedAssessment.objects.filter(period=period).delete()
            ReportedAssessment.objects.bulk_create(_snapshot_rows([period.id], now), batch_size=2000)
        exception_lists_refresh(period_ids=[period.id], as_of=as_of)
    return exception_list


def refresh_after_recompute(sender, *, indicator_ids=None, assessments=None, **kwargs) -> None:
    """Receiver of `indicators.services.assessments.assessments_recomputed`: keep the lists current.

    ``indicator_ids`` is what the recompute changed (or, after an edit, the edited indicator); an
    empty list (a recompute that changed nothing) refreshes nothing. ``assessments``: what the
    recompute has just written for those indicators (see `exception_lists_refresh`).
    """
    if indicator_ids is not None and not indicator_ids:
        return
    exception_lists_refresh(indicator_ids=indicator_ids, assessments=assessments)


def exception_lists_refresh(
    *,
    indicator_ids: Iterable[int] | None = None,
    period_ids: Iterable[int] | None = None,
    as_of: datetime.date | None = None,
    assessments: Mapping[int, list[tuple]] | None = None,
) -> int:
    """Bring the entries of every built list (or the given periods) up to date; return entries on lists.

    ``assessments``, with ``indicator_ids``: each of those indicators' stored assessments as
    (period id, period kind, rag, direction, variation, forecast rag), oldest first, as the
    recompute has just written them, so they are not read back (120,000 rows after a full
    recompute in which everything changed). Without it they are read.

    Four reads plus the writes (three given ``assessments``; and the reporting date when ``as_of``
    is not given), whatever the number of lists and indicators; one when no list has been built.
    A list's ``refreshed_at`` is stamped when its entries change; none is written when none does.
    """
    list_periods = _list_periods(None if period_ids is None else list(period_ids))
    if not list_periods:
        return 0
    as_of = as_of or reporting_date()
    kinds = {p.kind for p in list_periods.values()}
    frequencies = [KIND_FREQUENCY[k] for k in sorted(kinds)]
    ids = None if indicator_ids is None else list(indicator_ids)
    lags, frequency, first_result = {}, {}, {}
    for indicator_id, lag, indicator_frequency, first in _indicator_rows(frequencies, ids):
        lags[indicator_id], frequency[indicator_id] = lag, indicator_frequency
        if first is not None:
            first_result[indicator_id] = _as_date(first)

    series: Mapping[int, list[tuple]]
    if assessments is not None and ids is not None:
        series = assessments
    else:
        indicators = Indicator.objects.filter(is_active=True, frequency__in=frequencies)
        if ids is not None:
            indicators = indicators.filter(id__in=ids)
        stored = Assessment.objects.filter(period__kind__in=kinds, indicator__in=indicators).order_by(
            "indicator_id", "period__start"
        )
        series = defaultdict(list)
        for row in stored.values_list(
            "indicator_id", "period_id", "period__kind", "rag", "direction", "variation", "forecast_rag"
        ):
            series[row[0]].append(row[1:])
    returned, existing = _returned_and_entries(list(list_periods), list(lags), ids)

    wanted: dict[tuple[int, int], list[str]] = {}
    # A period's reasons depend on its rag, variation, forecast rag and the run of "Bad"
    # directions ending at it, and only on whether that run is 0, 1 or 2 and more: each distinct
    # combination is judged once (`_judged`, memoised), and the run is counted as the series
    # goes, not by passing every direction so far (quadratic: 7,000 copies an indicator).
    judged = Memo(_judged, unpack=True)  # shared lists: copied when written
    missing_reasons = exception_reasons(missing=True)
    for indicator_id, lag in lags.items():
        own_kind = FREQUENCY_KIND[frequency[indicator_id]]
        assessed = {}
        run = 0
        for period_id, kind, rag, direction, variation, forecast in series.get(indicator_id, ()):
            if kind != own_kind:
                continue
            run = run + 1 if direction == c.BAD else 0
            assessed[period_id] = judged[rag, min(run, WORSENING_RUN), direction, variation, forecast]
        first = first_result.get(indicator_id)
        for period_id, period in list_periods.items():
            if period.kind != own_kind:
                continue
            reasons = assessed.get(period_id)
            if reasons is None:
                missing = (
                    (indicator_id, period_id) not in returned
                    and first is not None
                    and first <= period.start
                    and is_past_due(due_date(period.end, lag), as_of)
                )
                reasons = missing_reasons if missing else None
            if reasons:
                wanted[(period_id, indicator_id)] = reasons

    to_update, to_delete = [], []
    seen = set()
    changed_lists = set()  # the periods whose lists gain, lose or re-reason an entry
    for entry_id, period_id, indicator_id, stored, reviewed_at in existing:
        key = (period_id, indicator_id)
        seen.add(key)
        reasons = wanted.get(key, [])
        if not reasons and reviewed_at is None:
            to_delete.append(entry_id)
            changed_lists.add(period_id)
        elif reasons != stored:
            to_update.append((entry_id, reasons))
            changed_lists.add(period_id)
    now = timezone.now()  # what auto_now(_add) would set: `insert_rows` writes the fields as given
    to_create = [
        ExceptionEntry(period_id=p, indicator_id=i, reasons=list(r), created_at=now, updated_at=now)
        for (p, i), r in wanted.items()
        if (p, i) not in seen
    ]
    changed_lists.update(entry.period_id for entry in to_create)
    # No savepoint: a failure here fails the caller's transaction (the recompute's) as a whole.
    with transaction.atomic(savepoint=False):
        if to_delete:
            ExceptionEntry.objects.filter(id__in=to_delete).delete()
        if to_update:
            _update_reasons(to_update)
        if to_create:
            insert_rows(ExceptionEntry, to_create)  # PostgreSQL: one COPY (was bulk_create's VALUES)
        # Only the lists that changed: an edit that moves no entry writes nothing here (it was an
        # UPDATE of all 120 lists after every edit, 0.8 ms of its 15 and 120 dead rows each time).
        if changed_lists:
            _stamp_lists(sorted(changed_lists))
    return len(wanted)


# The refresh's reads, in plain SQL built once per process (issue 12): after one edit the refresh
# runs for one indicator over every built list, and Django building its six queries took longer
# than running them. Three reads: the lists, the indicators (with each one's first result), and the
# returns and entries on the lists; the values are what the ORM gave before (dates, parsed reasons).


# Up to this many indicators, the refresh reads each one's first result by an index scan; beyond
# it, by one pass over all results (at 1,000: 87 ms the first way, 30 the second).
FEW_INDICATORS = 50


@functools.cache
def _sql(name: str, vendor: str, filtered: bool) -> str:
    """The statement ``name`` for ``vendor``; ``filtered``: limited to given ids (one parameter)."""
    q = connection.ops.quote_name
    lists, period = quoted(ExceptionList), quoted(Period)
    indicator, result, entry = quoted(Indicator), quoted(Result), quoted(ExceptionEntry)
    if name == "lists":
        sql = (
            f"SELECT l.{q('period_id')}, p.{q('kind')}, p.{q('start')}, p.{q('end')} "  # noqa: S608 — quoted names
            f"FROM {lists} l JOIN {period} p ON p.{q('id')} = l.{q('period_id')}"
        )
        return sql + (f" WHERE {one_of('l.' + q('period_id'))}" if filtered else "")
    if name in ("indicators", "indicators_few"):
        # An indicator begins with its first result of any status (`first_result_starts`, the rule
        # /returns/ uses), so the indicators and their starts are one read: for a few indicators
        # (after an edit) a correlated MIN, an index scan each; for more, one grouped pass over
        # the results (the correlated MIN 1,000 times was 87 ms of a full recompute's refresh).
        earliest = f"MIN(p.{q('start')})"
        results = f"FROM {result} r JOIN {period} p ON p.{q('id')} = r.{q('period_id')}"
        columns = f"i.{q('id')}, i.{q('submission_lag_days')}, i.{q('frequency')}"
        where = f"i.{q('is_active')} AND {one_of('i.' + q('frequency'))}"
        where += f" AND {one_of('i.' + q('id'))}" if filtered else ""
        if name == "indicators_few":
            return (
                f"SELECT {columns}, (SELECT {earliest} {results} WHERE r.{q('indicator_id')} = i.{q('id')}) "  # noqa: S608
                f"FROM {indicator} i WHERE {where}"
            )
        return (
            f"SELECT {columns}, f.earliest FROM {indicator} i LEFT JOIN "  # noqa: S608 — quoted names
            f"(SELECT r.{q('indicator_id')} AS indicator_id, {earliest} AS earliest {results} "
            f"GROUP BY r.{q('indicator_id')}) f ON f.indicator_id = i.{q('id')} WHERE {where}"
        )
    if name == "entries_and_returns":
        # One read for two row sets: entries (their id is never NULL) and returns (no id). Only the
        # returns with no assessment of their period: "missing" is asked only where the period has
        # none (an approved result has one once recomputed), and reading every return made the
        # full recompute's refresh read and keep 120,000 pairs to look up a handful.
        assessment = quoted(Assessment)
        sql = (
            f"SELECT e.{q('id')}, e.{q('period_id')}, e.{q('indicator_id')}, e.{q('reasons')}, "  # noqa: S608
            f"e.{q('reviewed_at')} FROM {entry} e WHERE {one_of('e.' + q('period_id'))}"
            + (f" AND {one_of('e.' + q('indicator_id'))}" if filtered else "")
            + f" UNION ALL SELECT NULL, r.{q('period_id')}, r.{q('indicator_id')}, NULL, NULL FROM {result} r "  # noqa: S608
            f"WHERE {one_of('r.' + q('period_id'))} AND {one_of('r.' + q('status'))} "
            f"AND {one_of('r.' + q('indicator_id'))} AND NOT EXISTS (SELECT 1 FROM {assessment} a "
            f"WHERE a.{q('indicator_id')} = r.{q('indicator_id')} AND a.{q('period_id')} = r.{q('period_id')})"
        )
        return sql
    if name == "stamp":
        return f"UPDATE {lists} SET {q('refreshed_at')} = %s WHERE {one_of(q('period_id'))}"  # noqa: S608
    raise ValueError(name)


def _rows(name: str, params: list, *, filtered: bool = False) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(_sql(name, connection.vendor, filtered), params)
        return cursor.fetchall()


def _as_date(value) -> datetime.date:
    """SQLite gives a computed date (MIN of a date column) back as text."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _list_periods(period_ids: list[int] | None) -> dict[int, _ListPeriod]:
    params = [] if period_ids is None else [list_param(period_ids)]
    rows = _rows("lists", params, filtered=period_ids is not None)
    return {pid: _ListPeriod(kind, _as_date(start), _as_date(end)) for pid, kind, start, end in rows}


def _indicator_rows(frequencies: list[str], ids: list[int] | None) -> list[tuple]:
    """(id, submission lag, frequency, first result's period start) of the active indicators of
    these frequencies (of ``ids`` only, when given)."""
    params = [list_param(frequencies)] + ([] if ids is None else [list_param(ids)])
    name = "indicators_few" if ids is not None and len(ids) <= FEW_INDICATORS else "indicators"
    return _rows(name, params, filtered=ids is not None)


def _returned_and_entries(
    list_period_ids: list[int], indicator_ids: list[int], ids: list[int] | None
) -> tuple[set[tuple[int, int]], list[tuple]]:
    """The (indicator, period) pairs returned (submitted or approved) on the lists, for these
    indicators, that have no assessment of that period (the only ones "missing" is asked of);
    and the existing entries on the lists (of ``ids`` only, when given) as (id, period,
    indicator, reasons, reviewed at)."""
    periods = list_param(list_period_ids)
    params = [periods] + ([] if ids is None else [list_param(ids)])
    params += [periods, list_param([str(s) for s in RETURNED]), list_param(indicator_ids)]
    returned, entries = set(), []
    parsed = Memo(json.loads)  # a list's entries share a handful of reason texts: each parsed once
    for entry_id, period_id, indicator_id, reasons, reviewed_at in _rows(
        "entries_and_returns", params, filtered=ids is not None
    ):
        if entry_id is None:
            returned.add((indicator_id, period_id))
        else:
            reasons = parsed[reasons] if isinstance(reasons, str) else reasons
            entries.append((entry_id, period_id, indicator_id, reasons, reviewed_at))
    return returned, entries


def _stamp_lists(period_ids: list[int]) -> None:
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_sql("stamp", connection.vendor, False), [now, list_param(period_ids)])


def _update_reasons(updates: list[tuple[int, list[str]]]) -> None:
    """New reasons for existing entries: one UPDATE from arrays of ids and JSON texts (PostgreSQL)
    or from one JSON parameter of [id, JSON text] pairs (SQLite 3.33+: `UPDATE ... FROM`),
    `bulk_update` elsewhere. bulk_update's CASE of 500 branches per statement took half a second
    for 1,000 entries (SQLite, issue 12: 1.2 s of CPU for 3,000 after a full recompute, most of
    it Django quoting its parameters into the query log when queries are recorded)."""
    table = connection.ops.quote_name(ExceptionEntry._meta.db_table)
    if connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 33):
        with connection.cursor() as cursor:
            # The text is the JSON the JSONField writes (json.dumps, no encoder), as on PostgreSQL.
            cursor.execute(
                f"UPDATE {table} SET reasons = json_extract(v.value, '$[1]') "  # noqa: S608 — a quoted model table
                f"FROM json_each(%s) AS v WHERE {table}.id = json_extract(v.value, '$[0]')",
                [json.dumps([[entry_id, json.dumps(reasons)] for entry_id, reasons in updates])],
            )
        return
    if connection.vendor != "postgresql":
        entries = [ExceptionEntry(id=entry_id, reasons=reasons) for entry_id, reasons in updates]
        ExceptionEntry.objects.bulk_update(entries, ["reasons"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS e SET reasons = v.reasons::jsonb "  # noqa: S608 — a quoted model table
            "FROM unnest(%s::bigint[], %s::text[]) AS v(id, reasons) WHERE e.id = v.id",
            [[entry_id for entry_id, _ in updates], [json.dumps(reasons) for _, reasons in updates]],
        )


def _judged(rag: str, run: int, direction: str, variation: str, forecast: str) -> list[str]:
    """`exception_reasons` of a period whose series ends in `run` periods of "Bad" (0, 1 or up to
    `WORSENING_RUN`) in `direction`: the directions so far as far as the rule tells them apart."""
    so_far = (c.BAD,) * run if run else (direction,)
    return exception_reasons(rag=rag, directions_so_far=so_far, variation=variation, forecast_rag=forecast)


# --------------------------------------------------------------------------------------------
# Review and history


@transaction.atomic
def exception_entry_review(*, entry_id: int, user, note: str) -> ExceptionEntry:
    """The hub marks an entry reviewed with a note (required: what was decided, e.g. "clinic called")."""
    _require_hub(user)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Enter a review note: what the hub decided about this exception."})
    if len(note) > 2000:
        raise ValidationError({"note": "The review note must be 2,000 characters or fewer."})
    entry = ExceptionEntry.objects.select_for_update().filter(id=entry_id).first()
    if entry is None:
        raise ExceptionEntry.DoesNotExist("No such exception entry.")
    entry.reviewed_by, entry.reviewed_at, entry.review_note = user, timezone.now(), note
    entry.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "updated_at"])
    return entry


@transaction.atomic
def reported_history_recompute(*, period: Period, user, reason: str) -> HistoryRecompute:
    """Deliberately rewrite a period's as-reported assessments from the current ones; logged."""
    _require_hub(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the as-reported history of this period must change."})
    now = timezone.now()
    old = dict(ReportedAssessment.objects.filter(period=period).values_list("indicator_id", "rag"))
    rows = _snapshot_rows([period.id], now)
    changed = [
        {"indicator": r.indicator_id, "old_rag": old.get(r.indicator_id), "new_rag": r.rag}
        for r in rows
        if old.get(r.indicator_id) != r.rag
    ]
    ReportedAssessment.objects.filter(period=period).delete()
    ReportedAssessment.objects.bulk_create(rows, batch_size=2000)
    return HistoryRecompute.objects.create(
        period=period,
        reason=reason,
        rows_rewritten=len(rows),
        changed=changed,
        recomputed_by=user,
        recomputed_at=now,
    )


# --------------------------------------------------------------------------------------------
# The page


@dataclass
class ExceptionRow:
    entry: ExceptionEntry
    reference: str
    title: str
    directorate: str
    service: str
    assessment: Assessment | None
    reported: ReportedAssessment | None
    due: datetime.date
    # Set by the page (reporting.exception_views) from clinics: the portal's suggestion for this
    # indicator, its clinics and remedial plan, and the pre-filled request link.
    clinic_suggestion: dict | None = None
    clinic_mark: object | None = None
    clinic_request_url: str = ""


def exception_page_rows(*, period: Period, directorate_id: int | None = None) -> list[ExceptionRow]:
    """A period's entries with each indicator's current and as-reported assessment: three queries."""
    entries = list(
        ExceptionEntry.objects.filter(period=period)
        .select_related("indicator__service__directorate", "reviewed_by")
        .order_by("indicator__service__directorate__name", "indicator__reference")
    )
    if directorate_id is not None:
        entries = [e for e in entries if e.indicator.service.directorate_id == directorate_id]
    indicator_ids = [e.indicator_id for e in entries]
    current = {
        a.indicator_id: a for a in Assessment.objects.filter(period=period, indicator_id__in=indicator_ids)
    }
    reported = {
        r.indicator_id: r
        for r in ReportedAssessment.objects.filter(period=period, indicator_id__in=indicator_ids)
    }
    return [
        ExceptionRow(
            entry=e,
            reference=e.indicator.reference,
            title=e.indicator.title,
            directorate=e.indicator.service.directorate.name,
            service=e.indicator.service.name,
            assessment=current.get(e.indicator_id),
            reported=reported.get(e.indicator_id),
            due=due_date(period.end, e.indicator.submission_lag_days),
        )
        for e in entries
    ]
