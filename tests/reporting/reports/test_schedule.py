"""The beat schedule drafts the quarter's reports once its returns fall due, and sends reminders."""

import datetime

from django.conf import settings

from reporting.reports import services, tasks
from reporting.reports.models import Report


def test_beat_schedule_has_report_generation_and_narrative_reminders():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reporting.reports.tasks.generate_due_reports" in tasks_scheduled
    assert "reporting.reports.tasks.send_narrative_reminders" in tasks_scheduled
    assert tasks.generate_due_reports.name == "reporting.reports.tasks.generate_due_reports"


def test_the_latest_due_quarter_is_drafted_once(report_council, q3):
    report_council()  # reporting date 20 January 2016: Q3's returns are due (Q4 not yet)
    assert tasks.generate_due_reports.delay().get() == 2
    reports = Report.objects.order_by("kind")
    assert [(r.kind, r.period_id, r.status, r.generation) for r in reports] == [
        ("cmt", q3.id, "draft", "done"),
        ("executive", q3.id, "draft", "done"),
    ]
    assert all(r.data["sections"] and r.created_by is None for r in reports)
    assert reports[0].events.filter(action="generation_queued", note__startswith="Scheduled").exists()
    # Idempotent: the next day's run leaves the drafts (and their narrative) alone.
    assert services.generate_due_reports() == []
    assert Report.objects.count() == 2


def test_nothing_is_drafted_before_any_quarter_is_due(report_council):
    report_council()
    assert services.generate_due_reports(as_of=datetime.date(2015, 7, 1)) == []
    assert not Report.objects.exists()


def test_a_worker_registers_the_report_tasks():
    """A worker imports each app's `tasks` module only: the reports' tasks must be reached from it."""
    import reporting.tasks

    for name in (
        "generate_report",
        "render_report_files",
        "send_narrative_reminders",
        "generate_due_reports",
    ):
        assert getattr(reporting.tasks, name).name == f"reporting.reports.tasks.{name}"
