"""Celery tasks of data entry: thin wrappers that call a service."""

from celery import shared_task

from indicators.data_entry.services.notifications import approval_digests_send, result_notice_send
from indicators.data_entry.services.reminders import reminders_send


@shared_task
def send_return_reminders() -> int:
    """The daily reminder digests (beat schedule). Safe to run more than once a day."""
    return reminders_send().sent


@shared_task
def send_result_notice(change_id: int) -> int:
    """The emails one result change calls for (returned, approved, waiting for approval)."""
    return result_notice_send(change_id)


@shared_task
def send_approval_digests() -> int:
    """The daily digest of results waiting for approval (beat schedule). Safe to run more than
    once a day."""
    return approval_digests_send().sent
