"""Fixtures for data entry: a monthly percentage indicator the officer enters and the head approves."""

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from indicators.models import Indicator, Target
from indicators.services.periods import ensure_periods

DEC_2015 = ("month", datetime.date(2015, 12, 1))
NOV_2015 = ("month", datetime.date(2015, 11, 1))
FY_2015 = ("year", datetime.date(2015, 4, 1))


@pytest.fixture
def periods(db):
    return ensure_periods([DEC_2015, NOV_2015, FY_2015])


@pytest.fixture
def pdr(org, users, periods):
    """PDR completion (%), up is good, 85 % target for 2015/16: 70 % is red, 82 % amber."""
    indicator = Indicator.objects.create(
        reference="STF90",
        title="PDR Completion (%) - OCE",
        category="workforce",
        unit="percentage",
        decimal_places=0,
        polarity="up_is_good",
        frequency="monthly",
        measure_type="snapshot",
        service=org["hr"],
        responsible_officer=users["head"],
    )
    indicator.data_entry_officers.add(users["officer"])
    Target.objects.create(indicator=indicator, period=periods[FY_2015], value=Decimal(85))
    return indicator


@pytest.fixture
def other_indicator(org, users):
    """An indicator in another service that the officer has nothing to do with."""
    return Indicator.objects.create(
        reference="WST01",
        title="Missed bins per 100,000 collections",
        category="performance",
        unit="count",
        polarity="up_is_bad",
        frequency="monthly",
        service=org["waste"],
    )


@pytest.fixture
def stf15(org, users):
    """The annual STF15 (sickness days per FTE, year to date) the officer enters."""
    indicator = Indicator.objects.create(
        reference="STF15",
        title="Average sickness days lost per FTE - OCE - (YTD)",
        category="workforce",
        unit="days",
        decimal_places=1,
        polarity="up_is_bad",
        frequency="annual",
        measure_type="ytd",
        service=org["hr"],
    )
    indicator.data_entry_officers.add(users["officer"])
    return indicator


def xlsx_bytes(rows) -> bytes:
    """A one-sheet workbook of these rows, as an upload sends it."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
