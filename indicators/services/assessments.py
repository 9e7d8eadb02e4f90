"""Recompute stored assessments from results, targets and annotations, in bulk.

A fixed number of queries whatever the number of indicators: read indicators, periods, approved
results, targets and baseline annotations once each (as plain rows into pandas), assess every
series with the pure `indicators.analytics.bulk.assess_all` (RAG, direction of travel, variation,
forecast), then replace the stored rows with one delete and batched inserts (one COPY on
PostgreSQL) inside one transaction, and refresh the exception lists already built for those indicators. The
per-indicator task after an edit runs exactly the same code with `indicator_ids=[id]`.
"""

import math
import time
from collections.abc import Iterable
from decimal import Decimal

import pandas as pd
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from indicators.analytics.bulk import IndicatorSpec, assess_all
from indicators.analytics.series import IndicatorRules
from indicators.models import Annotation, Assessment, Indicator, Period, RebaseDecision, Result, Target

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
BATCH_SIZE = 2000
COLUMNS = (
    "indicator_id",
    "period_id",
    "value",
    "target",
    "rag",
    "direction",
    "comparator_period_id",
    "comparator_value",
    "is_latest",
    "variation",
    "special_cause_rule",
    "assurance",
    "centre_line",
    "upper_limit",
    "lower_limit",
    "trial_limits",
    "shift_since",
    "forecast_value",
    "forecast_low",
    "forecast_high",
    "forecast_method",
    "forecast_inputs",
    "forecast_rag",
    "computed_at",
)
FOUR_PLACES = Decimal("0.0001")
# Assessment's DecimalFields hold 18 digits with 4 places: anything larger is not a sensible
# forecast (a diverging fit), so it is not stored rather than failing the whole recompute.
DECIMAL_LIMIT = Decimal(10) ** 14


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


def _spec(row: dict, rebase_dates: tuple, dismissed: tuple = ()) -> IndicatorSpec:
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
    number = Decimal(repr(float(value))).quantize(FOUR_PLACES)
    return number if abs(number) < DECIMAL_LIMIT else None


def _insert(rows: list[tuple]) -> None:
    """Batched multi-row INSERTs of plain tuples.

    `bulk_create` prepares every field of every object through the ORM (about 25 µs a value), which
    at 120,000 assessments x 23 columns is most of a full recompute. The values here are already in
    their database form (Decimals, strings, booleans, an adapted timestamp and JSON), so they go to
    the driver as they are: one statement per batch, the same query count as `bulk_create`.
    """
    if not rows:
        return
    table = connection.ops.quote_name(Assessment._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    if connection.vendor == "postgresql":
        _copy(table, columns, rows)
        return
    one = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    limit = connection.features.max_query_params
    size = min(BATCH_SIZE, limit // len(COLUMNS)) if limit else BATCH_SIZE
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            # Names come from the model, quoted by the backend; every value is a parameter.
            sql = f"INSERT INTO {table} ({columns}) VALUES " + ", ".join([one] * len(batch))  # noqa: S608
            cursor.execute(sql, [v for row in batch for v in row])


def _copy(table: str, columns: str, rows: list[tuple]) -> None:
    """PostgreSQL: one `COPY ... FROM STDIN` through psycopg 3 instead of batched INSERTs.

    COPY streams the rows without building a statement per batch; the values are the same as the
    INSERTs' (psycopg adapts Decimals, booleans, timestamps and the Jsonb wrapper). Django's query
    log does not see statements made on the raw cursor, so the COPY is recorded there by hand and
    counts as one query.
    """
    sql = f"COPY {table} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _frame(rows: list, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=columns)


def recompute_assessments(*, indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the assessments of the given indicators (all when None); return rows written.

    Only approved results are assessed: scorecards and reports count approved results only.
    Queries: 6 reads, 1 delete, one insert per 2,000 assessments (one COPY on PostgreSQL), plus the exception-list refresh
    (`reporting.exceptions.exception_lists_refresh`).
    """
    indicators = Indicator.objects.all()
    results = Result.objects.filter(status=Result.Status.APPROVED)
    targets = Target.objects.all()
    annotations = Annotation.objects.filter(starts_new_baseline=True)
    dismissals = RebaseDecision.objects.filter(decision=RebaseDecision.Decision.DISMISSED)
    ids = None
    if indicator_ids is not None:
        ids = list(indicator_ids)
        indicators = indicators.filter(id__in=ids)
        results = results.filter(indicator_id__in=ids)
        targets = targets.filter(indicator_id__in=ids)
        annotations = annotations.filter(indicator_id__in=ids)
        dismissals = dismissals.filter(indicator_id__in=ids)

    periods = {
        pid: (kind, start, end)
        for pid, kind, start, end in Period.objects.values_list("id", "kind", "start", "end")
    }
    period_ids = {(kind, start): pid for pid, (kind, start, _) in periods.items()}
    rebase: dict[int, list] = {}
    for indicator_id, day in annotations.values_list("indicator_id", "date"):
        rebase.setdefault(indicator_id, []).append(day)
    dismissed: dict[int, list] = {}
    for indicator_id, day in dismissals.values_list("indicator_id", "shift_start"):
        dismissed.setdefault(indicator_id, []).append(day)
    specs = [
        _spec(row, tuple(rebase.get(row["id"], ())), tuple(dismissed.get(row["id"], ())))
        for row in indicators.values(*INDICATOR_FIELDS)
    ]

    result_rows = [
        (indicator_id, *periods[period_id], value)
        for indicator_id, period_id, value in results.values_list("indicator_id", "period_id", "value")
    ]
    target_rows = [
        (indicator_id, *periods[period_id][:2], value)
        for indicator_id, period_id, value in targets.values_list("indicator_id", "period_id", "value")
    ]
    assessed = assess_all(
        specs,
        _frame(result_rows, ["indicator_id", "kind", "start", "end", "value"]),
        _frame(target_rows, ["indicator_id", "kind", "start", "value"]),
    )

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    inputs_field = Assessment._meta.get_field("forecast_inputs")
    rows = [
        (
            a.indicator_id,
            period_ids[(a.kind, a.start)],
            a.value,
            a.target,
            a.rag,
            a.direction,
            period_ids[a.comparator] if a.comparator else None,
            a.comparator_value,
            a.is_latest,
            a.variation,
            a.special_cause_rule,
            a.assurance,
            _decimal(a.centre_line),
            _decimal(a.upper_limit),
            _decimal(a.lower_limit),
            a.trial_limits,
            connection.ops.adapt_datefield_value(a.shift_since),
            _decimal(a.forecast_value),
            _decimal(a.forecast_low),
            _decimal(a.forecast_high),
            a.forecast_method,
            inputs_field.get_db_prep_save(a.forecast_inputs, connection),
            a.forecast_rag,
            now,
        )
        for a in assessed
    ]
    stale = Assessment.objects.all()
    if ids is not None:
        stale = stale.filter(indicator_id__in=[s.id for s in specs])
    with transaction.atomic():
        stale.delete()
        _insert(rows)
        # In the same transaction, so lists derived from assessments never lag them.
        assessments_recomputed.send(
            sender=Assessment, indicator_ids=None if ids is None else [s.id for s in specs]
        )
    return len(rows)
