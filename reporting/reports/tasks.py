"""Celery tasks: generate a report, make a published version's files (eager in the embedded run
and the tests), and the daily reminders and scheduled drafts."""

from celery import shared_task


@shared_task
def generate_report(report_id: int) -> int:
    from reporting.reports.services import generate

    generate(report_id)
    return report_id


@shared_task
def render_report_files(report_id: int) -> int:
    """Publication's PDFs and workbooks from the frozen snapshot; the version is published after."""
    from reporting.reports.services import render_files

    render_files(report_id)
    return report_id


@shared_task
def send_narrative_reminders() -> int:
    """Daily: remind authors of narrative falling due for a meeting (see `reminders`)."""
    from organisation.calendar import reporting_date
    from reporting.reports.reminders import send_narrative_reminders as send

    return send(reporting_date())


@shared_task
def generate_due_reports() -> int:
    """Daily: draft the quarter's Executive and CMT reports (and the year end's after Q4) once the
    quarter's returns have fallen due; a report that exists is left alone."""
    from reporting.reports.services import generate_due_reports as generate_due

    return len(generate_due())
