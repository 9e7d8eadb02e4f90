import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command

from indicators.data_entry.services.reminders import reminder_digests, reminders_send
from indicators.data_entry.services.results import result_submit
from indicators.data_entry.tasks import send_return_reminders
from indicators.models import ReminderLog
from organisation.models import ReportingCalendar

DEC_2015 = ("month", datetime.date(2015, 12, 1))


@pytest.fixture
def mailable(users):
    users["officer"].email = "officer@example.invalid"
    users["officer"].save()


@pytest.mark.django_db
def test_digest_lists_overdue_and_due_soon_once_a_day(pdr, mailable, users, settings):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 18))
    run = reminders_send(today=datetime.date(2016, 1, 18))
    assert run.sent == 1 and len(mail.outbox) == 1
    body = mail.outbox[0].body
    # Dec 2015 is due 20 Jan (within 5 days); Nov 2015 was due 20 Dec (overdue).
    assert "Due soon:\n- STF90 PDR Completion (%) - OCE, Dec 2015" in body
    assert "Overdue:\n" in body and "Nov 2015" in body
    assert reminders_send(today=datetime.date(2016, 1, 18)).already_sent == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_command_and_beat_task_together_send_one_digest_a_day(pdr, mailable):
    ReportingCalendar.objects.create(id=1, as_of=datetime.date(2016, 1, 18))
    call_command("send_reminders")
    send_return_reminders.delay()  # eager in tests, as in the embedded run
    call_command("send_reminders")
    assert len(mail.outbox) == 1 and ReminderLog.objects.count() == 1


@pytest.mark.django_db
def test_submitted_returns_are_not_chased(pdr, periods, users):
    result_submit(
        user=users["officer"], indicator=pdr, period=periods[DEC_2015], value=Decimal(90), expected_version=0
    )
    digests = reminder_digests(as_of=datetime.date(2016, 1, 18))
    assert [r.label for r in digests[users["officer"].id]].count("Dec 2015") == 0


@pytest.mark.django_db
def test_reminders_run_a_fixed_number_of_queries(pdr, org, users, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        reminder_digests(as_of=datetime.date(2016, 1, 18))
