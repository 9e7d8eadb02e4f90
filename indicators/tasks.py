"""Celery tasks: thin wrappers that take ids, re-fetch and call a service."""

import logging

from celery import shared_task

from indicators.models import Indicator
from indicators.services.assessments import recompute_assessments

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
    return recompute_assessments(indicator_ids=[indicator_id])


@shared_task
def recompute_all() -> int:
    return recompute_assessments()
