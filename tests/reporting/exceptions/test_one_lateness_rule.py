"""Exceptions, /returns/ and data quality share one lateness rule: missing only once the due date
is strictly before the reporting date (DOMAIN.md "missing past its due date")."""

import datetime
from decimal import Decimal

import pytest

from indicators.data_entry.services.data_quality import data_quality
from indicators.data_entry.services.returns import Return, is_past_due
from indicators.models import Indicator, Period, Result
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods
from organisation.models import ReportingCalendar
from reporting.exceptions import exception_list_build, exception_lists_refresh
from reporting.models import ExceptionEntry

pytestmark = pytest.mark.django_db
SEP_2015, OCT_2015 = datetime.date(2015, 9, 1), datetime.date(2015, 10, 1)
OCT_DUE = datetime.date(2015, 11, 20)  # 31 Oct + 20 days


@pytest.fixture
def calendar(db):
    return ReportingCalendar.objects.create(id=1, as_of=OCT_DUE)


@pytest.fixture
def late_one(org, users):
    """Monthly, reported Apr–Sep 2015; October (due 20 Nov 2015) absent."""
    indicator = Indicator.objects.create(
        reference="LATE1",
        title="Late one",
        category="performance",
        unit="count",
        polarity="up_is_good",
        frequency="monthly",
        service=org["hr"],
    )
    starts = [datetime.date(2015, m, 1) for m in range(4, 11)]
    periods = ensure_periods([("month", s) for s in starts])
    Result.objects.bulk_create(
        Result(indicator=indicator, period=periods[("month", s)], value=Decimal(10), status="approved")
        for s in starts[:-1]
    )
    return indicator


def missing_refs():
    return {
        e.indicator.reference
        for e in ExceptionEntry.objects.filter(period__kind="month", period__start=OCT_2015).select_related(
            "indicator"
        )
        if "missing" in e.reasons
    }


def test_is_past_due_is_strict():
    assert not is_past_due(OCT_DUE, OCT_DUE - datetime.timedelta(days=1))
    assert not is_past_due(OCT_DUE, OCT_DUE)
    assert is_past_due(OCT_DUE, OCT_DUE + datetime.timedelta(days=1))


def test_not_missing_on_its_due_date_missing_the_day_after(late_one, calendar):
    recompute_assessments()
    exception_list_build(period=Period.objects.get(kind="month", start=OCT_2015))
    assert "LATE1" not in missing_refs()
    calendar.as_of = OCT_DUE + datetime.timedelta(days=1)
    calendar.save()
    exception_lists_refresh()
    assert missing_refs() == {"LATE1"}
    # and back: moving the reporting date to the due date takes it off again
    calendar.as_of = OCT_DUE
    calendar.save()
    exception_lists_refresh()
    assert "LATE1" not in missing_refs()


def test_returns_and_data_quality_agree_with_exceptions_on_the_due_date(late_one, users, calendar):
    ret = Return(
        indicator=late_one,
        kind="month",
        start=OCT_2015,
        end=datetime.date(2015, 10, 31),
        label="Oct 2015",
        due=OCT_DUE,
        result=None,
        as_of=OCT_DUE,
    )
    assert ret.state == "due" and ret.days_overdue == 0
    council, _, _ = data_quality(users["hub"], as_of=OCT_DUE)
    assert "Oct 2015" not in [r.period for r in council.records["missing"]]
    day_after = OCT_DUE + datetime.timedelta(days=1)
    ret.as_of = day_after
    assert ret.state == "overdue" and ret.days_overdue == 1
    council, _, _ = data_quality(users["hub"], as_of=day_after)
    assert [r.period for r in council.records["missing"] if r.reference == "LATE1"] == ["Oct 2015"]


def test_periods_before_the_first_result_are_never_missing(late_one, calendar):
    calendar.as_of = datetime.date(2015, 12, 1)
    calendar.save()
    recompute_assessments()
    for start in (datetime.date(2015, 3, 1), OCT_2015):
        ensure_periods([("month", start)])
        exception_list_build(period=Period.objects.get(kind="month", start=start))
    march = ExceptionEntry.objects.filter(period__start=datetime.date(2015, 3, 1), indicator=late_one)
    assert not march.exists()
    assert missing_refs() == {"LATE1"}
