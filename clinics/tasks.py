"""Celery tasks for clinics: thin wrappers over services."""

from celery import shared_task

from clinics.services import remedial_plans_check_off_track


@shared_task
def check_remedial_plans() -> int:
    """Notify plan owners and the hub of plans off trajectory two periods running (once per period)."""
    return remedial_plans_check_off_track()
