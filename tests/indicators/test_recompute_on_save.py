"""Saving a result or target queues its indicator's recompute on commit (eager Celery here)."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Assessment, Indicator, Result, Target
from indicators.services.periods import ensure_periods
from indicators.tasks import recompute_indicator


@pytest.fixture
def indicator(org):
    return Indicator.objects.create(
        reference="PI01",
        title="% of calls answered",
        category="customer",
        unit="percentage",
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )


def month(m: int):
    key = ("month", datetime.date(2015, m, 1))
    return ensure_periods([key])[key]


@pytest.mark.django_db
def test_approved_result_is_assessed_after_commit(indicator, django_capture_on_commit_callbacks):
    year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    Target.objects.bulk_create([Target(indicator=indicator, period=year, value=90)])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Result.objects.create(indicator=indicator, period=month(4), value=Decimal(80), status="approved")
        assert not Assessment.objects.exists()  # nothing runs before the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assessment = Assessment.objects.get(indicator=indicator)
    assert (assessment.rag, assessment.direction, assessment.is_latest) == ("red", "na", True)


@pytest.mark.django_db
def test_second_result_gets_a_direction_of_travel(indicator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Result.objects.create(indicator=indicator, period=month(4), value=80, status="approved")
        Result.objects.create(indicator=indicator, period=month(5), value=85, status="approved")
    latest = Assessment.objects.get(indicator=indicator, is_latest=True)
    assert (latest.period.label, latest.direction, latest.comparator_period.label) == (
        "May 2015",
        "good",
        "Apr 2015",
    )


@pytest.mark.django_db
def test_draft_results_are_not_assessed(indicator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Result.objects.create(indicator=indicator, period=month(4), value=80, status="draft")
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_deleting_a_result_removes_its_assessment(indicator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = Result.objects.create(indicator=indicator, period=month(4), value=80, status="approved")
    with django_capture_on_commit_callbacks(execute=True):
        result.delete()
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_task_copes_with_a_deleted_indicator(indicator, django_capture_on_commit_callbacks):
    indicator_id = indicator.id
    with django_capture_on_commit_callbacks(execute=True):
        Result.objects.create(indicator=indicator, period=month(4), value=80, status="approved")
        indicator.delete()  # the queued recompute then finds nothing: no error
    assert recompute_indicator(indicator_id) == 0


@pytest.mark.django_db
def test_recompute_writes_in_bulk_with_a_fixed_number_of_queries(
    build_council, django_assert_max_num_queries
):
    from indicators.services.assessments import recompute_assessments

    build_council(30, months=24)
    with django_assert_max_num_queries(12):
        written = recompute_assessments()
    assert written == 30 * 24
