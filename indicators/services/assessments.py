"""Recompute stored assessments from results, targets and annotations, in bulk.

A fixed number of queries whatever the number of indicators: read indicators, periods, approved
results, targets and baseline annotations once each (as plain rows into pandas), assess every
series with the pure `indicators.analytics.bulk.assess_all` (RAG, direction of travel, variation,
forecast), then write only what differs from the stored rows (`indicators.services.assessment_writes`:
nothing at all when nothing changed) inside one transaction, and refresh the exception lists
already built for the indicators that changed. The per-indicator task after an edit runs exactly
the same code with `indicator_ids=[id]`.
"""

import gc
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from indicators.analytics.memo import Memo
from indicators.analytics.series import IndicatorRules
from indicators.models import Annotation, Assessment, Indicator, Period, RebaseDecision, Result, Target
from indicators.services import second_process
from indicators.services.assessment_writes import ChangePlan, pipeline, plan_changes, stored_rows_sent
from indicators.services.plain_sql import PreparedValues
from indicators.services.summary_writes import INDICATOR_FIELDS as SUMMARY_FIELDS
from indicators.services.summary_writes import STORED_FIELDS, changed_summaries, write_summaries

# Sent inside the recompute's transaction once assessments are rewritten, with `indicator_ids`
# (None: every indicator). Apps above the core that keep figures derived from assessments (the
# exception lists in `reporting`) subscribe to it, so the core never imports them.
assessments_recomputed = Signal()

INDICATOR_FIELDS = (
    "id",
    "polarity",
    "frequency",
    "measure_type",
    "unit",
    "seasonal",
    "compare_across_period_kinds",
    "tolerance",
    "tolerance_kind",
    "change_threshold",
    "change_threshold_kind",
    "baseline_points",
    "ytd_accumulates",
)
FOUR_PLACES = Decimal("0.0001")
# Assessment's DecimalFields hold 18 digits with 4 places: anything larger is not a sensible
# forecast (a diverging fit), so it is not stored rather than failing the whole recompute.
DECIMAL_LIMIT = Decimal(10) ** 14
FLOAT_LIMIT = float(DECIMAL_LIMIT)  # exactly 10**14, compared as a float (a Decimal comparison is slower)


@dataclass(frozen=True)
class RecomputeOutcome:
    """What a recompute did: assessments computed, and the rows it inserted, updated and deleted."""

    assessed: int
    inserted: int
    updated: int
    deleted: int
    summaries: int = 0  # `IndicatorSummary` rows written (the scorecards' per-indicator figures)

    @property
    def written(self) -> int:
        return self.inserted + self.updated + self.deleted + self.summaries


def rules_for(indicator: Indicator) -> IndicatorRules:
    return IndicatorRules(
        polarity=indicator.polarity,
        frequency=indicator.frequency,
        measure_type=indicator.measure_type,
        unit=indicator.unit,
        seasonal=indicator.seasonal,
        compare_across_period_kinds=indicator.compare_across_period_kinds,
        tolerance=indicator.tolerance,
        tolerance_kind=indicator.tolerance_kind,
        change_threshold=indicator.change_threshold,
        change_threshold_kind=indicator.change_threshold_kind,
        ytd_accumulates=indicator.ytd_accumulates,
    )


def _spec(row: dict, rebase_dates: tuple, dismissed: tuple = ()):
    from indicators.analytics.bulk import IndicatorSpec

    rules = IndicatorRules(
        polarity=row["polarity"],
        frequency=row["frequency"],
        measure_type=row["measure_type"],
        unit=row["unit"],
        seasonal=row["seasonal"],
        compare_across_period_kinds=row["compare_across_period_kinds"],
        tolerance=row["tolerance"],
        tolerance_kind=row["tolerance_kind"],
        change_threshold=row["change_threshold"],
        change_threshold_kind=row["change_threshold_kind"],
        ytd_accumulates=row["ytd_accumulates"],
    )
    return IndicatorSpec(row["id"], rules, row["baseline_points"], rebase_dates, dismissed)


def _decimal(value: float | None) -> Decimal | None:
    if value is None or not math.isfinite(value):
        return None
    if abs(value) >= FLOAT_LIMIT:  # before quantizing: past 10**24 that raises InvalidOperation
        return None
    number = Decimal(repr(float(value))).quantize(FOUR_PLACES)
    return number if abs(number) < DECIMAL_LIMIT else None


def _decimal_text(value: float | None) -> str | None:
    """`_decimal` as the text a numeric(18, 4) column holds and gives back: always four places,
    never an exponent (the exponent is -4 and the number under 10**14) and no negative zero
    (-0.00001 is stored as 0.0000, so it must read as the same text). None stays None."""
    number = _decimal(value)
    if number is None:
        return None
    return "0.0000" if number.is_zero() else str(number)


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while a recompute builds its rows.

    A full recompute allocates millions of small objects (rows, Decimals, dates), none of them in
    reference cycles, and the collector's passes over the growing heap took about a quarter of its
    CPU time (1 s of 4.4 s at 1,000 indicators). Reference counting still frees everything; the
    collector resumes, as it was, when the recompute ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _as_written(assessed: list, rows: list[tuple], indicator_ids: list[int]) -> dict[int, list[tuple]]:
    """What the recompute now stores for ``indicator_ids``, in the terms the exception lists read:
    {indicator: [(period id, kind, rag, direction, variation, forecast rag), ...] oldest first}."""
    wanted = set(indicator_ids)
    if not wanted:  # the nightly run on a quiet day: no pass over its 120,000 rows
        return {}
    out: dict[int, list[tuple]] = {}
    for a, row in zip(assessed, rows, strict=True):
        if a.indicator_id in wanted:
            out.setdefault(a.indicator_id, []).append(
                (a.start, row[1], a.kind, a.rag, a.direction, a.variation, a.forecast_rag)
            )
    return {
        indicator_id: [r[1:] for r in sorted(points, key=lambda r: r[0])]
        for indicator_id, points in out.items()
    }


def recompute_assessments(*, indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the assessments of the given indicators (all when None); return how many there are.

    Only approved results are assessed: scorecards and reports count approved results only.
    Writes only what changed (`recompute`, which says how many rows it inserted, updated and deleted).
    """
    return recompute(indicator_ids=indicator_ids).assessed


def recompute(*, indicator_ids: Iterable[int] | None = None) -> RecomputeOutcome:
    """Recompute the assessments of the given indicators (all when None), writing only the differences.

    Queries: 6 reads of the inputs (the sixth: dismissed rebase suggestions), 1 read of the stored assessments, then only when something
    changed: the deletes, updates and inserts (PostgreSQL: a temporary table, one COPY into it and
    two MERGEs; SQLite: batched upserts), one upsert of the scorecard summaries that changed
    (`indicators.services.summary_writes`; read with the indicators), plus the exception-list
    refresh of the indicators that changed (`reporting.exceptions.exception_lists_refresh`). A
    recompute of unchanged data writes nothing at all.

    A full recompute of `SECOND_PROCESS_FROM` results or more is shared with a forked second
    process where that is safe (`second_process.available`): the stored rows are then read in
    two SELECTs, one by each process (`_recompute_shared`), and the rows written are the same.
    """
    with _without_cyclic_gc():
        return _recompute(indicator_ids)


def _only(queryset, ids: list[int] | None, field: str = "indicator_id"):
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


# The inputs' queries, compiled once per process for the recompute after an edit (a few ids):
# building them was a third of that recompute's time (issue 12). Unchanged SQL and values.
PERIOD_ROWS = PreparedValues(  # every period, whatever the ids: send(None)
    lambda ids: Period.objects.values_list("id", "kind", "start", "end", "financial_year", "label")
)
INDICATOR_READ = (*INDICATOR_FIELDS, *SUMMARY_FIELDS, *STORED_FIELDS)
INDICATOR_ROWS = PreparedValues(
    lambda ids: _only(Indicator.objects.all(), ids, "id").values_list(*INDICATOR_READ)
)
RESULT_ROWS = PreparedValues(
    lambda ids: _only(Result.objects.filter(status=Result.Status.APPROVED), ids).values_list(
        "indicator_id", "period_id", "value"
    )
)
TARGET_ROWS = PreparedValues(
    lambda ids: _only(Target.objects.all(), ids).values_list("indicator_id", "period_id", "value")
)
REBASE_ROWS = PreparedValues(
    lambda ids: _only(Annotation.objects.filter(starts_new_baseline=True), ids).values_list(
        "indicator_id", "date"
    )
)
DISMISSAL_ROWS = PreparedValues(
    lambda ids: _only(
        RebaseDecision.objects.filter(decision=RebaseDecision.Decision.DISMISSED), ids
    ).values_list("indicator_id", "shift_start")
)


def _inputs(period_rows, rebase_rows, dismissal_rows, indicator_read, result_read, target_read) -> tuple:
    """The recompute's inputs from its reads: (specs, indicator rows as dicts, result rows, target
    rows, {(kind, start): period id}, {(kind, start): (end, financial year, label)})."""
    periods, period_figures = {}, {}
    for pid, kind, start, end, fin_year, label in period_rows:
        periods[pid] = (kind, start, end)
        period_figures[(kind, start)] = (end, fin_year, label)
    period_ids = {(kind, start): pid for pid, (kind, start, _) in periods.items()}
    rebase: dict[int, list] = {}
    for indicator_id, day in rebase_rows:
        rebase.setdefault(indicator_id, []).append(day)
    dismissed: dict[int, list] = {}
    for indicator_id, day in dismissal_rows:
        dismissed.setdefault(indicator_id, []).append(day)
    # With each indicator, its stored scorecard summary (a LEFT JOIN: no query of its own).
    indicator_rows = [dict(zip(INDICATOR_READ, values, strict=True)) for values in indicator_read]
    specs = [
        _spec(row, tuple(rebase.get(row["id"], ())), tuple(dismissed.get(row["id"], ())))
        for row in indicator_rows
    ]
    result_rows = [
        (indicator_id, *periods[period_id], value) for indicator_id, period_id, value in result_read
    ]
    target_rows = [
        (indicator_id, *periods[period_id][:2], value) for indicator_id, period_id, value in target_read
    ]
    return specs, indicator_rows, result_rows, target_rows, period_ids, period_figures


def _rows_to_write(assessed: list, period_ids: dict) -> list[tuple]:
    """The computed assessments as rows in `assessment_writes.COLUMNS` order, in database form."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    adapt_date = connection.ops.adapt_datefield_value
    # Every number is written as its text, and read back as text on PostgreSQL
    # (`assessment_writes`), so an unchanged row compares as plain strings, with no Decimal built
    # per stored value (issue 12: loading them as Decimals was half of reading the stored rows).
    # The database stores the same number from the text as from the Decimal. The results',
    # targets' and comparators' Decimals are as read (four places: their text is the column's);
    # the numbers worked out as floats go through `_decimal_text`. A series' centre line and
    # limits are the same number at every point of a segment: each distinct float is converted
    # once (`dec[x]`: a dict subscript, not a function call per value).
    dec = Memo(_decimal_text, {None: None})
    return [
        (
            a.indicator_id,
            period_ids[(a.kind, a.start)],
            str(a.value),
            None if a.target is None else str(a.target),
            a.rag,
            a.direction,
            period_ids[a.comparator] if a.comparator else None,
            None if a.comparator_value is None else str(a.comparator_value),
            a.is_latest,
            a.variation,
            a.special_cause_rule,
            a.assurance,
            dec[a.centre_line],
            dec[a.upper_limit],
            dec[a.lower_limit],
            a.trial_limits,
            None if a.shift_since is None else adapt_date(a.shift_since),
            dec[a.forecast_value],
            dec[a.forecast_low],
            dec[a.forecast_high],
            a.forecast_method,
            a.forecast_inputs,  # a plain dict: put in database form only if the row is written
            a.forecast_rag,
            now,
        )
        for a in assessed
    ]


def _recompute(indicator_ids: Iterable[int] | None) -> RecomputeOutcome:
    ids = None if indicator_ids is None else list(indicator_ids)
    # The six reads go out together (on PostgreSQL, in pipeline mode: one round trip, not six; the
    # block's end brings their results back) and their rows are converted while the server runs
    # the stored rows' SELECT, which is read once every series is assessed (`stored_rows_sent`).
    # The stored rows of `ids` are those of the indicators recomputed: an assessment's indicator
    # exists. No other query until `stored()`. A full recompute that a second process can share
    # converts its inputs first, to split them (`_recompute_shared`).
    with pipeline():
        reads = [PERIOD_ROWS.send(None)]
        reads += [
            rows.send(ids) for rows in (REBASE_ROWS, DISMISSAL_ROWS, INDICATOR_ROWS, RESULT_ROWS, TARGET_ROWS)
        ]
    inputs = None
    if ids is None and second_process.available():
        inputs = _inputs(*(read() for read in reads))
        specs, _, result_rows, *_ = inputs
        if len(result_rows) >= SECOND_PROCESS_FROM and len(specs) > 1:
            return _recompute_shared(*inputs)
    with stored_rows_sent(ids) as stored:
        specs, indicator_rows, result_rows, target_rows, period_ids, period_figures = inputs or _inputs(
            *(read() for read in reads)
        )
        recomputed = None if ids is None else [s.id for s in specs]
        assessed, rows, plan = _share(specs, result_rows, target_rows, period_ids, stored, recomputed)

    def summaries_that_changed() -> list:
        return changed_summaries(indicator_rows, assessed, period_figures, plan.changed_indicator_ids)

    # A full recompute passes only the indicators whose assessments changed to the exception
    # lists: the others' lists are already what they would be (the hourly
    # `build_due_exception_lists` keeps "missing" current as the reporting date moves). After an
    # edit, the edited indicator is always passed: a submitted result changes its list (no longer
    # missing) but no assessment.
    refreshed = sorted(plan.changed_indicator_ids) if ids is None else [s.id for s in specs]
    return _written(
        plan, summaries_that_changed, refreshed, _as_written(assessed, rows, refreshed), len(rows)
    )


def _share(specs, result_rows, target_rows, period_ids, stored, recomputed) -> tuple[list, list, ChangePlan]:
    """Assess ``specs`` and compare with their stored rows (``stored()``, read once assessed):
    (assessed, rows in database form, the changes to write)."""
    from indicators.analytics.bulk import assess_all  # pandas and numpy: only when a recompute runs

    assessed = assess_all(specs, result_rows, target_rows)
    rows = _rows_to_write(assessed, period_ids)
    return assessed, rows, plan_changes(rows, recomputed, stored())


def _written(
    plan: ChangePlan,
    summaries_that_changed: Callable[[], list],
    refreshed: list[int],
    as_written: dict,
    assessed: int,
) -> RecomputeOutcome:
    """Write the changes, the summaries that changed and the exception lists, in one transaction."""
    # Worked out while PostgreSQL merges a full recompute's rows (`ChangePlan.apply`); otherwise
    # first, outside the transaction: SQLite takes its write lock at BEGIN.
    summaries = [] if plan.merges else summaries_that_changed()
    with transaction.atomic():
        if plan.merges:
            summaries = plan.apply(meanwhile=summaries_that_changed)
        else:
            plan.apply()
        write_summaries(summaries)  # the scorecards' figures, never out of step with the assessments
        # In the same transaction, so lists derived from assessments never lag them.
        assessments_recomputed.send(sender=Assessment, indicator_ids=refreshed, assessments=as_written)
    return RecomputeOutcome(assessed, len(plan.inserts), len(plan.updates), len(plan.deletes), len(summaries))


# A full recompute of at least this many results is shared with a second process. Chosen, not
# tuned: the fork takes 6-11 ms and the child's connection a few more at 120,000 results, and a
# recompute of under 20,000 (a fifth of a second or so) has little to gain from sharing.
SECOND_PROCESS_FROM = 20_000


@dataclass(frozen=True)
class _TheirShare:
    """What the second process sends back: its share's changes, in the form the parent writes."""

    assessed: int
    plan: ChangePlan
    summaries: list
    as_written: dict


def _their_share(specs, indicator_rows, result_rows, target_rows, period_ids, period_figures) -> _TheirShare:
    recomputed = [s.id for s in specs]
    with stored_rows_sent(recomputed) as stored:
        assessed, rows, plan = _share(specs, result_rows, target_rows, period_ids, stored, recomputed)
    changed = sorted(plan.changed_indicator_ids)
    return _TheirShare(
        len(rows),
        plan,
        changed_summaries(indicator_rows, assessed, period_figures, plan.changed_indicator_ids),
        _as_written(assessed, rows, changed),
    )


# This process's part of a shared recompute's results: more than half, because the second
# process also works out its share's summaries and exception-list rows and sends everything back
# (pickled), which this one does not (`_recompute_shared`).
MY_SHARE = 0.55


def _shares(specs: list, result_rows: list, mine: float = MY_SHARE) -> tuple[list, list]:
    """The specs in two shares, the first with about ``mine`` of the results (each in order; the
    second never empty when there are two specs or more)."""
    sizes = Counter(row[0] for row in result_rows)
    wanted, running, first = len(result_rows) * mine, 0, []
    for spec in specs[:-1]:
        if running >= wanted:
            break
        first.append(spec)
        running += sizes.get(spec.id, 0)
    return first, specs[len(first) :]


def _recompute_shared(specs, indicator_rows, result_rows, target_rows, period_ids, period_figures):
    """A full recompute in two processes (`second_process`): the same rows written as by one.

    Each process assesses the indicators of its share and compares them with their stored rows
    (its own SELECT); the child sends back its differences, summaries and exception-list rows,
    and this process writes all of them in its one transaction. Issue 12, at 1,000 indicators on
    this 2-core machine, runs alternated in one process: the nightly run on a quiet day 1.52 s
    instead of 2.08 s on PostgreSQL (1.58 instead of 2.32 s on SQLite), every row changed 3.2 s
    instead of 4.1 s (docs/benchmarks.md).
    """
    mine, theirs = _shares(specs, result_rows)
    their_ids = {spec.id for spec in theirs}

    def shared(rows: list) -> tuple[list, list]:
        ours, others = [], []
        for row in rows:  # result and target rows: the indicator first
            (others if row[0] in their_ids else ours).append(row)
        return ours, others

    my_results, their_results = shared(result_rows)
    my_targets, their_targets = shared(target_rows)
    my_indicators = [row for row in indicator_rows if row["id"] not in their_ids]
    their_indicators = [row for row in indicator_rows if row["id"] in their_ids]

    def their_work() -> _TheirShare:
        return _their_share(
            theirs, their_indicators, their_results, their_targets, period_ids, period_figures
        )

    collect = second_process.started(their_work)
    my_ids = [spec.id for spec in mine]
    try:
        with stored_rows_sent(my_ids) as stored:
            assessed, rows, plan = _share(mine, my_results, my_targets, period_ids, stored, my_ids)
    finally:
        sent = collect()  # waited for (and reaped) whether or not this share succeeded
    sent = sent or their_work()  # the child failed (logged): its share done here
    plan.absorb(sent.plan)
    plan.bulk = True  # every indicator's rows: written as a full recompute's are

    def summaries_that_changed() -> list:
        mine_changed = changed_summaries(my_indicators, assessed, period_figures, plan.changed_indicator_ids)
        return mine_changed + sent.summaries

    refreshed = sorted(plan.changed_indicator_ids)
    as_written = {**_as_written(assessed, rows, refreshed), **sent.as_written}
    return _written(plan, summaries_that_changed, refreshed, as_written, len(rows) + sent.assessed)
