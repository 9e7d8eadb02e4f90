"""Celery tasks of data entry: thin wrappers that call a service."""

from celery import shared_task

from indicators.data_entry.services.reminders import reminders_send


@shared_task
def send_return_reminders() -> int:
    """The daily reminder digests (beat schedule). Safe to run more than once a day."""
    return reminders_send().sent
