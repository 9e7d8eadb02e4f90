"""Celery tasks for reporting: thin wrappers over services."""

import logging

from celery import shared_task

from reporting.exceptions import exception_lists_build_due

log = logging.getLogger(__name__)


@shared_task
def build_due_exception_lists() -> int:
    """Build each month's and quarter's exception list once its returns have fallen due.

    Idempotent: a period that already has a list is left to the recomputes that keep it current.
    """
    built = exception_lists_build_due()
    if built:
        log.info("Built exception lists for %s", ", ".join(lst.period.label for lst in built))
    return len(built)


from reporting.reports.tasks import generate_report, send_narrative_reminders  # noqa: E402, F401 — registered
