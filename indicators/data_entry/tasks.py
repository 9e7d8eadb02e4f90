"""Celery tasks of data entry: thin wrappers that call a service."""

from celery import shared_task

from indicators.data_entry.services.imports import import_read, import_write
from indicators.data_entry.services.notifications import approval_digests_send, result_notices_send
from indicators.data_entry.services.reminders import reminders_send


@shared_task
def send_return_reminders() -> int:
    """The daily reminder digests (beat schedule). Safe to run more than once a day."""
    return reminders_send().sent


@shared_task
def send_result_notices(change_ids: list[int]) -> int:
    """The emails some result changes call for (returned, approved, waiting for approval), one
    per person."""
    return result_notices_send(change_ids)


@shared_task
def send_approval_digests() -> int:
    """The daily digest of results waiting for approval (beat schedule). Safe to run more than
    once a day."""
    return approval_digests_send().sent


@shared_task
def read_import(batch_id: int) -> None:
    """Read an uploaded workbook and store its preview (the upload page answered at once)."""
    import_read(batch_id)


@shared_task
def apply_import(batch_id: int) -> None:
    """Write a confirmed import in one transaction, or record why nothing was written."""
    import_write(batch_id)
