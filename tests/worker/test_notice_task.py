"""The result-notice email, sent by a real Celery worker through a real Redis (issue 10, item 15).

The worker's email backend is the console (no EMAIL_HOST), so the email it sends is printed in
its log. Run as tests/worker/test_recompute_task.py says.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from indicators.data_entry.services.results import result_return, result_submit
from indicators.models import Indicator
from indicators.services.periods import ensure_periods
from organisation.models import Directorate, Profile, Role, Service
from tests.worker.test_recompute_task import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_returning_a_result_emails_the_officer_from_the_worker(celery_worker_process):
    directorate = Directorate.objects.create(name="Office of the Chief Executive", slug="oce-w", code="OCW")
    service = Service.objects.create(directorate=directorate, name="Human Resources", slug="hr-w")
    users = {}
    for role in (Role.OFFICER, Role.HEAD):
        user = get_user_model().objects.create_user(f"w-{role}", email=f"w-{role}@example.invalid")
        Profile.objects.create(user=user, role=role, directorate=directorate, service=service)
        users[role] = user
    indicator = Indicator.objects.create(
        reference="WRK90",
        title="PDR completion",
        unit="percentage",
        polarity="up_is_good",
        frequency="monthly",
        service=service,
        responsible_officer=users[Role.HEAD],
    )
    indicator.data_entry_officers.add(users[Role.OFFICER])
    period = ensure_periods([("month", datetime.date(2015, 12, 1))])[("month", datetime.date(2015, 12, 1))]
    result = result_submit(
        user=users[Role.OFFICER], indicator=indicator, period=period, value=Decimal(90), expected_version=0
    ).result
    result_return(
        user=users[Role.HEAD],
        result=result,
        reason="Agency staff are missing.",
        expected_version=result.version,
    )
    worker = celery_worker_process
    assert wait_for(lambda: "WRK90 Dec 2015 returned for changes" in worker.log()), worker.log()[-3000:]
    log = worker.log()
    assert "To: w-officer@example.invalid" in log and "Reason: Agency staff are missing." in log
    assert "Subject: KPI Machine: WRK90 Dec 2015 waits for your approval" in log  # the head, on submit
