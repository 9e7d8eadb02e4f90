"""Recompute stored assessments from results and targets, in bulk.

A fixed number of queries whatever the number of indicators: read indicators, approved results
and targets once each, assess every series with the pure `assess_series`, then replace the
stored rows with one delete and batched inserts inside one transaction.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from indicators.analytics.series import IndicatorRules, SeriesPoint, assess_series
from indicators.models import Assessment, Indicator, Period, Result, Target


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
    )


def recompute_assessments(*, indicator_ids: Iterable[int] | None = None) -> int:
    """Recompute the assessments of the given indicators (all when None); return rows written.

    Only approved results are assessed: scorecards and reports count approved results only.
    """
    indicators = Indicator.objects.all()
    results = Result.objects.filter(status=Result.Status.APPROVED)
    targets = Target.objects.all()
    if indicator_ids is not None:
        ids = list(indicator_ids)
        indicators = indicators.filter(id__in=ids)
        results = results.filter(indicator_id__in=ids)
        targets = targets.filter(indicator_id__in=ids)

    indicators = list(indicators)
    periods = {p.id: p for p in Period.objects.all()}
    points = defaultdict(list)
    for indicator_id, period_id, value in results.values_list("indicator_id", "period_id", "value"):
        period = periods[period_id]
        points[indicator_id].append(SeriesPoint(period.kind, period.start, period.end, value))
    target_values = defaultdict(dict)
    for indicator_id, period_id, value in targets.values_list("indicator_id", "period_id", "value"):
        period = periods[period_id]
        target_values[indicator_id][(period.kind, period.start)] = value

    period_ids = {(p.kind, p.start): p.id for p in periods.values()}
    now = timezone.now()
    rows = []
    for indicator in indicators:
        for point in assess_series(points[indicator.id], target_values[indicator.id], rules_for(indicator)):
            rows.append(
                Assessment(
                    indicator_id=indicator.id,
                    period_id=period_ids[point.key],
                    value=point.value,
                    target=point.target,
                    rag=point.rag,
                    direction=point.direction,
                    comparator_period_id=period_ids[point.comparator] if point.comparator else None,
                    comparator_value=point.comparator_value,
                    is_latest=point.is_latest,
                    computed_at=now,
                )
            )
    stale = Assessment.objects.all()
    if indicator_ids is not None:
        stale = stale.filter(indicator_id__in=[i.id for i in indicators])
    with transaction.atomic():
        stale.delete()
        Assessment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
