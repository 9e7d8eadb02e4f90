"""The recompute outbox: which indicators' assessments are out of date (RecomputeMark rows).

A save marks its indicator in its own transaction; whoever recomputes first claims the mark by
deleting it (so two workers, or a worker and the sweep, never both count it); a recompute that
fails puts the mark back. The broker is only the fast path: a mark whose task was never queued
(the broker was down) is picked up by the beat sweep or the nightly recompute.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from indicators.models import RecomputeMark

log = logging.getLogger(__name__)


def mark_for_recompute(indicator_ids: Iterable[int]) -> None:
    """Mark (or re-mark) indicators as needing a recompute; joins the caller's transaction."""
    now = timezone.now()
    marks = [RecomputeMark(indicator_id=i, marked_at=now) for i in sorted(set(indicator_ids))]
    if marks:
        RecomputeMark.objects.bulk_create(
            marks, update_conflicts=True, unique_fields=["indicator_id"], update_fields=["marked_at"]
        )


def claim_marks(indicator_ids: Iterable[int] | None = None, *, older_than=None) -> list[int]:
    """Delete and return the marks of these indicators (all when None) that still exist.

    Each claim commits at once, one indicator at a time, so a mark is claimed by exactly one
    caller: the one whose delete removed the row.
    """
    candidates = RecomputeMark.objects.all()
    if indicator_ids is not None:
        candidates = candidates.filter(indicator_id__in=list(indicator_ids))
    if older_than is not None:
        candidates = candidates.filter(marked_at__lte=older_than)
    claimed = []
    for indicator_id in candidates.order_by("indicator_id").values_list("indicator_id", flat=True):
        with transaction.atomic():
            if RecomputeMark.objects.filter(indicator_id=indicator_id).delete()[0]:
                claimed.append(indicator_id)
    return claimed


def stale_indicator_ids(indicator_ids: Iterable[int] | None = None) -> set[int]:
    """Indicators whose figures are being recalculated (one query)."""
    marks = RecomputeMark.objects.all()
    if indicator_ids is not None:
        marks = marks.filter(indicator_id__in=list(indicator_ids))
    return set(marks.values_list("indicator_id", flat=True))


def send_safely(task, *args) -> bool:
    """Queue `task(*args)`; never raise. False (and a warning) when the broker is unreachable."""
    try:
        if task.app.conf.task_always_eager:
            task.apply_async(args)
            return True
        # One connection attempt, no retries: the caller must not wait on a broker that is down.
        # No result is kept: the redis result backend would otherwise connect at send time too.
        with task.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=1.0)
            task.apply_async(args, ignore_result=True, retry=False, connection=connection)
    except Exception as error:  # noqa: BLE001  (any broker failure: the caller has a fallback)
        log.warning("%s%r not queued (%s)", task.name, args, error.__class__.__name__)
        return False
    return True


def enqueue_safely(indicator_id: int) -> bool:
    """Queue the recompute task; never raise. False when the broker is unreachable: the mark
    stays and the sweep does the recompute later."""
    from indicators.tasks import recompute_indicator

    return send_safely(recompute_indicator, indicator_id)


def enqueue_many_safely(indicator_ids: list[int]) -> bool:
    """Queue one recompute of all these indicators (an import's): one task, not one per indicator."""
    from indicators.tasks import recompute_indicators

    return send_safely(recompute_indicators, sorted(indicator_ids))
