"""Database constraints hold the invariants and explain themselves in words."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.models import Indicator, Period, Result
from indicators.periods import period_bounds
from indicators.services.periods import ensure_periods


@pytest.fixture
def indicator(org):
    return Indicator.objects.create(
        reference="PI01",
        title="Calls",
        category="customer",
        polarity="neutral",
        frequency="monthly",
        service=org["hr"],
    )


@pytest.mark.django_db
def test_one_result_per_indicator_and_period(indicator):
    period = ensure_periods([("month", datetime.date(2015, 4, 1))])[("month", datetime.date(2015, 4, 1))]
    Result.objects.create(indicator=indicator, period=period, value=1)
    duplicate = Result(indicator=indicator, period=period, value=2)
    with pytest.raises(ValidationError, match="already has a result for that period"):
        duplicate.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.django_db
def test_negative_tolerance_is_refused_with_a_message(indicator):
    indicator.tolerance = -1
    with pytest.raises(ValidationError, match="tolerance cannot be negative"):
        indicator.validate_constraints()


@pytest.mark.django_db
def test_plausible_range_must_be_ordered(indicator):
    indicator.plausible_min, indicator.plausible_max = 10, 5
    with pytest.raises(ValidationError, match="plausible minimum must not exceed"):
        indicator.validate_constraints()


@pytest.mark.django_db
def test_zero_denominator_is_refused(indicator):
    period = ensure_periods([("month", datetime.date(2015, 5, 1))])[("month", datetime.date(2015, 5, 1))]
    with pytest.raises(ValidationError, match="denominator cannot be zero"):
        Result(indicator=indicator, period=period, value=1, denominator=0).validate_constraints()


@pytest.mark.django_db
def test_period_unique_by_kind_and_start():
    ensure_periods([("quarter", datetime.date(2015, 10, 1))])
    with pytest.raises(ValidationError, match="already starts on that date"):
        Period(
            kind="quarter",
            start=datetime.date(2015, 10, 1),
            end=datetime.date(2015, 12, 31),
            label="x",
            financial_year=2015,
        ).validate_constraints()


@pytest.mark.parametrize(
    ("kind", "start", "label", "end"),
    [
        ("month", datetime.date(2015, 12, 1), "Dec 2015", datetime.date(2015, 12, 31)),
        ("month", datetime.date(2016, 2, 1), "Feb 2016", datetime.date(2016, 2, 29)),
        ("quarter", datetime.date(2015, 10, 1), "Q3 2015/16", datetime.date(2015, 12, 31)),
        ("quarter", datetime.date(2016, 1, 1), "Q4 2015/16", datetime.date(2016, 3, 31)),
        ("year", datetime.date(2015, 4, 1), "2015/16", datetime.date(2016, 3, 31)),
        ("year", datetime.date(1999, 4, 1), "1999/00", datetime.date(2000, 3, 31)),
    ],
)
def test_period_labels_follow_the_council_calendar(kind, start, label, end):
    assert period_bounds(kind, start)[1:3] == (end, label)


@pytest.mark.parametrize(
    ("kind", "start"),
    [
        ("quarter", datetime.date(2015, 5, 1)),
        ("year", datetime.date(2015, 1, 1)),
        ("month", datetime.date(2015, 5, 2)),
    ],
)
def test_period_must_start_where_its_kind_starts(kind, start):
    with pytest.raises(ValueError):
        period_bounds(kind, start)
