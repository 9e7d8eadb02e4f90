"""The clinic list, a clinic page and a remedial plan page run a fixed number of queries at two sizes."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clinics.models import Attendee, Clinic, ClinicEvent, RemedialAction, RemedialPlan, TrajectoryPoint
from indicators.periods import period_starts_between
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db
SIZES = [2, 25]


@pytest.fixture
def clinics_of_size(build_council, users):
    def build(size):
        indicators = build_council(4, months=6)
        now = timezone.now()
        clinics = []
        for n in range(size):
            clinic = Clinic.objects.create(
                reason="Generated concern about performance.",
                requested_by=users["hub"],
                requested_at=now,
                status="held" if n % 2 else "scheduled",
                date=datetime.date(2030, 1, 1),
                start_time=datetime.time(10),
                place="Room",
                decision="remedial_plan" if n % 2 else "",
            )
            clinic.indicators.set(indicators[: 1 + n % 4])
            Attendee.objects.bulk_create(
                [Attendee(clinic=clinic, user=users["director"], role="chair")]
                + [
                    Attendee(
                        clinic=clinic, name=f"Expert {k}", email=f"e{k}@example.invalid", role="external"
                    )
                    for k in range(size)
                ]
            )
            ClinicEvent.objects.bulk_create(
                ClinicEvent(clinic=clinic, action="requested", by=users["hub"], at=now) for _ in range(size)
            )
            clinics.append(clinic)
        starts = period_starts_between(
            "month",
            datetime.date(2015, 10, 1),
            datetime.date(2015, 10, 1) + datetime.timedelta(days=31 * size),
        )
        periods = ensure_periods([("month", s) for s in starts])
        plan = RemedialPlan.objects.create(
            clinic=clinics[-1],
            indicator=indicators[0],
            owner=users["head"],
            monitoring="Monthly to DMT.",
            monitoring_frequency="monthly",
            recovery_criteria="Back on target.",
            created_at=now,
            status="signed_off",
        )
        TrajectoryPoint.objects.bulk_create(
            TrajectoryPoint(plan=plan, period=p, expected=Decimal(55)) for p in periods.values()
        )
        RemedialAction.objects.bulk_create(
            RemedialAction(
                plan=plan, description=f"Action {k}", owner=users["head"], due=datetime.date(2016, 3, 1)
            )
            for k in range(size)
        )
        ClinicEvent.objects.bulk_create(
            ClinicEvent(clinic=clinics[-1], plan=plan, action="plan_drafted", by=users["hub"], at=now)
            for _ in range(size)
        )
        return clinics, plan

    return build


@pytest.mark.parametrize("size", SIZES)
def test_clinic_list(size, clinics_of_size, client, users, django_assert_num_queries):
    clinics_of_size(size)
    client.force_login(users["hub"])
    client.get("/clinics/")
    # session, user, profile, clinics, their indicators, plans, suggestions (assessments, decisions)
    with django_assert_num_queries(8):
        response = client.get("/clinics/")
    assert len(response.context["open_clinics"]) + len(response.context["held_clinics"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_clinic_page(size, clinics_of_size, client, users, django_assert_num_queries):
    clinics, _ = clinics_of_size(size)
    client.force_login(users["hub"])
    client.get(f"/clinics/{clinics[-1].id}/")
    # session, user, profile, clinic, indicators, attendees, plans, events
    with django_assert_num_queries(8):
        response = client.get(f"/clinics/{clinics[-1].id}/")
    assert len(response.context["clinic"].attendee_list) == size + 1


@pytest.mark.parametrize("size", SIZES)
def test_remedial_plan_page(size, clinics_of_size, client, users, django_assert_num_queries):
    _, plan = clinics_of_size(size)
    client.force_login(users["hub"])
    client.get(f"/clinics/plans/{plan.id}/")
    # session, user, profile, plan, trajectory, actions, events, results against the trajectory
    with django_assert_num_queries(8):
        response = client.get(f"/clinics/plans/{plan.id}/")
    assert len(response.context["tracking"].rows) == len(plan.trajectory.all())


@pytest.mark.parametrize("size", SIZES)
def test_clinic_list_for_a_director(size, clinics_of_size, client, users, django_assert_num_queries):
    clinics_of_size(size)
    client.force_login(users["director"])
    client.get("/clinics/")
    # session, user, profile, clinics (scoped), their indicators, plans
    with django_assert_num_queries(6):
        client.get("/clinics/")
