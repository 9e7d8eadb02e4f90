"""The recompute task, executed by a real Celery worker process through a real Redis.

Run with: RUN_WORKER_TESTS=1 REDIS_URL=redis://127.0.0.1:6379/15 \\
          TEST_DATABASE_NAME=/tmp/kpi-worker-test.sqlite3 .venv/bin/python -m pytest tests/worker
(on PostgreSQL, DATABASE_URL=postgres://... instead of TEST_DATABASE_NAME). See conftest.py.
"""

import datetime
import time
from decimal import Decimal

import pytest
from celery.result import EagerResult
from django.db import transaction

from indicators.analytics import constants as c
from indicators.models import Assessment, Indicator, Result, Target
from indicators.services.periods import ensure_periods
from indicators.tasks import recompute_indicator
from organisation.models import Directorate, Service

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

YEARS = [datetime.date(2013, 4, 1), datetime.date(2014, 4, 1), datetime.date(2015, 4, 1)]
TASK_TIMEOUT = 60
POLL_TIMEOUT = 30


def make_indicator(reference: str = "WRK01") -> Indicator:
    """One annual Up-is-Good indicator with a 5% amber tolerance, created in bulk (no signals)."""
    directorate = Directorate.objects.create(name="Customer and Corporate Services", slug="ccs", code="CCS")
    service = Service.objects.create(directorate=directorate, name="Revenues", slug="revenues")
    [indicator] = Indicator.objects.bulk_create(
        [
            Indicator(
                reference=reference,
                title="Council tax collected",
                category=Indicator.Category.FINANCE,
                unit=Indicator.Unit.PERCENTAGE,
                polarity=c.UP_IS_GOOD,
                frequency=Indicator.Frequency.ANNUAL,
                measure_type=Indicator.MeasureType.PERIOD,
                tolerance=Decimal(5),
                tolerance_kind=c.PERCENT,
                service=service,
            )
        ]
    )
    return indicator


def year_periods():
    periods = ensure_periods([(c.YEAR, start) for start in YEARS])
    return [periods[(c.YEAR, start)] for start in YEARS]


def wait_for(condition, timeout: float = POLL_TIMEOUT, interval: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def test_worker_recomputes_an_indicator_from_bulk_loaded_results(celery_worker_process):
    indicator = make_indicator()
    periods = year_periods()
    # Target 100 throughout; amber is within 5% below it (95 to 100).
    values = [Decimal(101), Decimal(96), Decimal(90)]
    Result.objects.bulk_create(
        Result(indicator=indicator, period=period, value=value, status=Result.Status.APPROVED)
        for period, value in zip(periods, values, strict=True)
    )
    Target.objects.bulk_create(Target(indicator=indicator, period=p, value=Decimal(100)) for p in periods)
    assert not Assessment.objects.exists(), "bulk_create must not have queued anything"

    result = recompute_indicator.delay(indicator.id)
    assert not isinstance(result, EagerResult), "the task ran in the test process, not on the worker"
    written = result.get(timeout=TASK_TIMEOUT)

    assert written == 3
    rows = list(Assessment.objects.filter(indicator=indicator).order_by("period__start"))
    assert [(row.period.start, row.rag) for row in rows] == [
        (YEARS[0], c.GREEN),
        (YEARS[1], c.AMBER),
        (YEARS[2], c.RED),
    ]
    assert [row.direction for row in rows] == [c.NOT_COMPARABLE, c.BAD, c.BAD]
    assert [row.is_latest for row in rows] == [False, False, True]


def test_saving_a_result_queues_a_recompute_that_the_worker_runs(celery_worker_process):
    indicator = make_indicator()
    periods = year_periods()
    Target.objects.bulk_create([Target(indicator=indicator, period=periods[0], value=Decimal(100))])

    with transaction.atomic():
        Result(
            indicator=indicator, period=periods[0], value=Decimal(97), status=Result.Status.APPROVED
        ).save()
        # Nothing is sent before the commit: the worker would not see the row yet.
        assert not Assessment.objects.filter(indicator=indicator).exists()

    assert wait_for(lambda: Assessment.objects.filter(indicator=indicator).exists()), (
        f"no assessment written by the worker within {POLL_TIMEOUT}s"
    )
    assessment = Assessment.objects.get(indicator=indicator)
    assert assessment.rag == c.AMBER
    assert assessment.value == Decimal(97)
    assert assessment.target == Decimal(100)
    assert assessment.is_latest


def test_task_for_a_deleted_indicator_returns_zero(celery_worker_process):
    indicator = make_indicator("GONE1")
    indicator_id = indicator.id
    Indicator.objects.filter(id=indicator_id).delete()

    result = recompute_indicator.delay(indicator_id)

    assert result.get(timeout=TASK_TIMEOUT) == 0
    assert result.successful()
    assert not Assessment.objects.filter(indicator_id=indicator_id).exists()
