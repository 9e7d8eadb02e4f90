"""The migration that makes signed-off plans' trajectories targets of kind "trajectory" keeps every
ordinary target as it was and gives the later plan a period two plans share."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("clinics", "0002_definition_review_closure"), ("indicators", "0005_recompute_mark")]
AFTER = [("clinics", "0003_clinics2_trajectory_targets_and_plan_links")]


@pytest.mark.django_db(transaction=True)
def test_signed_off_trajectories_become_targets_and_ordinary_targets_stay():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Indicator = apps.get_model("indicators", "Indicator")  # noqa: N806
    Period = apps.get_model("indicators", "Period")  # noqa: N806
    Target = apps.get_model("indicators", "Target")  # noqa: N806
    Clinic = apps.get_model("clinics", "Clinic")  # noqa: N806
    Plan = apps.get_model("clinics", "RemedialPlan")  # noqa: N806
    Point = apps.get_model("clinics", "TrajectoryPoint")  # noqa: N806
    Directorate = apps.get_model("organisation", "Directorate")  # noqa: N806
    Service = apps.get_model("organisation", "Service")  # noqa: N806

    directorate = Directorate.objects.create(name="Office", slug="office", code="OF")
    service = Service.objects.create(name="HR", slug="hr", directorate=directorate)
    indicator = Indicator.objects.create(
        reference="STF15",
        title="Sickness",
        category="workforce",
        polarity="up_is_bad",
        frequency="monthly",
        service=service,
    )
    months = [
        Period.objects.create(
            kind="month",
            start=datetime.date(2016, m, 1),
            end=datetime.date(2016, m, 28),
            label=f"M{m}",
            financial_year=2015,
        )
        for m in (1, 2)
    ]
    Target.objects.create(indicator=indicator, period=months[0], value=Decimal(10))
    clinic = Clinic.objects.create(reason="Sickness is red.", requested_at=timezone.now(), status="held")
    now = timezone.now()
    plans = [
        Plan.objects.create(
            clinic=clinic
            if n == 0
            else Clinic.objects.create(reason="Again.", requested_at=now, status="held"),
            indicator=indicator,
            monitoring="Monthly.",
            monitoring_frequency="monthly",
            recovery_criteria="Back at target.",
            status=status,
            created_at=now + datetime.timedelta(minutes=n),
        )
        for n, status in enumerate(["signed_off", "signed_off", "draft"])
    ]
    for plan, values in zip(plans, [(12, 11), (11.5, None), (9, 9)], strict=True):
        for period, value in zip(months, values, strict=True):
            if value is not None:
                Point.objects.create(plan=plan, period=period, expected=Decimal(str(value)))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Target = apps.get_model("indicators", "Target")  # noqa: N806
    Point = apps.get_model("clinics", "TrajectoryPoint")  # noqa: N806
    assert list(Target.objects.filter(kind="target").values_list("value", flat=True)) == [Decimal(10)]
    trajectory = {t.period_id: t.value for t in Target.objects.filter(kind="trajectory")}
    assert trajectory == {
        months[0].id: Decimal("11.5"),
        months[1].id: Decimal(11),
    }  # the later plan's January
    assert not Point.objects.filter(plan_id=plans[2].id, target__isnull=False).exists()  # a draft holds none
    assert Point.objects.get(plan_id=plans[0].id, period_id=months[0].id).target_id is None
    assert Point.objects.get(plan_id=plans[0].id, period_id=months[0].id).expected == Decimal(12)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
