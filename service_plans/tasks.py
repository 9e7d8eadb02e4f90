from celery import shared_task

from service_plans.reminders import plan_reminders_send


@shared_task
def send_plan_reminders() -> dict:
    """Thin wrapper for Celery beat: email this month's plan reminders (at most one per officer)."""
    run = plan_reminders_send()
    return {"sent": run.sent, "already_sent": run.already_sent, "no_email": run.no_email}
