"""Celery task: generate a report (eager in the embedded run and the tests)."""

from celery import shared_task


@shared_task
def generate_report(report_id: int) -> int:
    from reporting.reports.services import generate

    generate(report_id)
    return report_id
