"""A red and worsening indicator, and a clinic at each stage, for the clinic tests."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.models import Indicator, Result, Target
from indicators.periods import period_starts_between
from indicators.services.assessments import recompute_assessments
from indicators.services.periods import ensure_periods

MONTHS = period_starts_between("month", datetime.date(2015, 4, 1), datetime.date(2015, 12, 1))
# Up is bad against a target of 10: red and worse each month from October.
VALUES = [8, 8, 9, 9, 9, 10, 11, 12, 13]


def _add_results(indicator, values, starts, *, status=Result.Status.APPROVED):
    periods = ensure_periods([("month", s) for s in starts])
    for start, value in zip(starts, values, strict=True):
        Result.objects.update_or_create(
            indicator=indicator,
            period=periods[("month", start)],
            defaults={
                "value": Decimal(value),
                "status": status,
                "commentary": "Sickness rose again this month.",
            },
        )
    recompute_assessments()


@pytest.fixture
def add_results():
    return _add_results


@pytest.fixture
def red_indicator(org, users):
    indicator = Indicator.objects.create(
        reference="STF15",
        title="Average sickness days per FTE",
        category="workforce",
        unit="days",
        decimal_places=1,
        polarity="up_is_bad",
        frequency="monthly",
        measure_type="period",
        service=org["hr"],
        portfolio=org["portfolio"],
        plausible_min=Decimal(0),
        plausible_max=Decimal(40),
    )
    indicator.boards.set([org["board"]])
    year = ensure_periods([("year", datetime.date(2015, 4, 1))])[("year", datetime.date(2015, 4, 1))]
    Target.objects.create(indicator=indicator, period=year, value=Decimal(10))
    # A monthly profile of 10 days from April 2015 to June 2016 (monthly results are judged on it).
    starts = period_starts_between("month", datetime.date(2015, 4, 1), datetime.date(2016, 6, 1))
    months = ensure_periods([("month", s) for s in starts])
    Target.objects.bulk_create(
        Target(indicator=indicator, period=p, value=Decimal(10)) for p in months.values()
    )
    _add_results(indicator, VALUES, MONTHS)
    return indicator


@pytest.fixture
def other_indicator(org):
    """An indicator in another directorate (Waste, Economy and Place), green and steady."""
    indicator = Indicator.objects.create(
        reference="WST01",
        title="Missed bins",
        category="performance",
        unit="count",
        polarity="up_is_bad",
        frequency="monthly",
        service=org["waste"],
    )
    _add_results(indicator, [5] * 9, MONTHS)
    return indicator


@pytest.fixture
def future_day():
    return timezone.localdate() + datetime.timedelta(days=14)


@pytest.fixture
def requested_clinic(red_indicator, users):
    from clinics.services import clinic_request

    return clinic_request(
        user=users["hub"], references=["STF15"], reason="Sickness is red and worsening.", urgency="soon"
    )


@pytest.fixture
def scheduled_clinic(requested_clinic, users, future_day):
    from clinics.services import AttendeeInput, clinic_schedule

    users["head"].email = "head@example.invalid"
    users["head"].save()
    users["director"].email = "director@example.invalid"
    users["director"].save()
    clinic_schedule(
        user=users["hub"],
        clinic=requested_clinic,
        date=future_day,
        start_time=datetime.time(14, 0),
        end_time=datetime.time(15, 30),
        place="West Offices, Room 2",
        chair_id=users["director"].id,
        attendees=[
            AttendeeInput(role="head_of_service", user_id=users["head"].id),
            AttendeeInput(role="external", name="Dr Ann Expert", email="ann@example.invalid"),
        ],
    )
    requested_clinic.refresh_from_db()
    return requested_clinic


@pytest.fixture
def held_clinic(scheduled_clinic, users):
    from clinics.services import clinic_record

    return clinic_record(
        user=users["hub"],
        clinic=scheduled_clinic,
        minutes="Discussed the rise in sickness absence across HR.",
        answer_targets="No: the target has been missed since October.",
        answer_turnaround="Capacity: two vacant occupational health posts.",
        answer_resources="Yes: shift an adviser from recruitment for six months.",
        decision="remedial_plan",
    )


@pytest.fixture
def plan_inputs(held_clinic, red_indicator, users):
    from clinics.services import ActionInput, trajectory_periods

    offered = trajectory_periods(red_indicator, datetime.date(2015, 12, 1))
    recovery = offered[5]  # six months: Jan–Jun 2016
    return {
        "user": users["hub"],
        "clinic": held_clinic,
        "indicator": red_indicator,
        "owner_id": users["head"].id,
        "monitoring": "Monthly report to DMT and the hub.",
        "monitoring_frequency": "monthly",
        "delivery_plan_changes": "Occupational health moves into the delivery plan.",
        "recovery_criteria": "Three months at or below the target of 10 days.",
        "trajectory_values": {s: Decimal(12.5 - n * 0.5) for n, s in enumerate(offered[:6])},
        "recovery_start": recovery,
        "offered_starts": offered,
        "actions": [
            ActionInput(
                "Fill the two occupational health posts.", users["head"].id, datetime.date(2016, 3, 31)
            )
        ],
    }
