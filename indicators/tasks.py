"""Celery tasks: thin wrappers that take ids, re-fetch and call a service."""

import logging

from celery import shared_task

from indicators.models import Indicator
from indicators.services.assessments import recompute_assessments
from indicators.services.recompute_marks import claim_marks, mark_for_recompute

log = logging.getLogger(__name__)


@shared_task
def recompute_indicator(indicator_id: int) -> int:
    """Recompute one indicator's assessments over its whole series.

    The indicator may have been deleted between the save that queued this and now: then there
    is nothing to assess, which is not an error.
    """
    if not Indicator.objects.filter(id=indicator_id).exists():
        log.info("recompute_indicator: indicator %s no longer exists; nothing to do", indicator_id)
        return 0
    claimed = claim_marks([indicator_id])
    return _recompute_claimed([indicator_id], claimed)


@shared_task
def recompute_indicators(indicator_ids: list[int]) -> int:
    """Recompute many indicators in one pass (a bulk import's): one task, not one per indicator."""
    existing = list(Indicator.objects.filter(id__in=indicator_ids).values_list("id", flat=True))
    if not existing:
        return 0
    claimed = claim_marks(existing)
    return _recompute_claimed(existing, claimed)


def _recompute_claimed(indicator_ids: list[int] | None, claimed: list[int]) -> int:
    """Recompute; if it fails, put back the marks this run claimed so the sweep tries again."""
    try:
        return recompute_assessments(indicator_ids=indicator_ids)
    except Exception:
        mark_for_recompute(claimed)
        raise


@shared_task
def recompute_all() -> int:
    """The nightly recompute of every indicator; it also clears every mark there was."""
    return _recompute_claimed(None, claim_marks())


# A mark younger than this is left to the task its save queued (the fast path).
SWEEP_GRACE_SECONDS = 30


@shared_task
def sweep_recompute_marks(grace_seconds: int = SWEEP_GRACE_SECONDS) -> list[int]:
    """Recompute every indicator still marked after the grace period (its task was never queued,
    or was lost); return their ids. Run by beat every minute."""
    import datetime

    from django.utils import timezone

    older_than = timezone.now() - datetime.timedelta(seconds=grace_seconds)
    claimed = claim_marks(older_than=older_than)
    if claimed:
        log.warning("recompute sweep: %s indicator(s) were marked but not recomputed", len(claimed))
        _recompute_claimed(claimed, claimed)
    return claimed
