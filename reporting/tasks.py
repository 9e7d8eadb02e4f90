"""Celery tasks for reporting: thin wrappers over services."""

import logging

from celery import shared_task

from reporting.exceptions import exception_lists_build_due, exception_lists_refresh

log = logging.getLogger(__name__)


@shared_task
def build_due_exception_lists() -> int:
    """Build each month's and quarter's exception list once its returns have fallen due.

    Idempotent: a period that already has a list is not built again. Every built list is then
    refreshed: as the reporting date moves, returns fall due and become "missing" without any
    assessment changing, and a recompute refreshes only the indicators whose assessments changed.
    """
    built = exception_lists_build_due()
    exception_lists_refresh()
    if built:
        log.info("Built exception lists for %s", ", ".join(lst.period.label for lst in built))
    return len(built)


from reporting.reports.tasks import (  # noqa: E402, F401 — registered
    generate_due_reports,
    generate_report,
    render_report_files,
    send_narrative_reminders,
)
