"""A signed-off remedial plan's trajectory is stored as the indicator's targets of kind "trajectory"
(DOMAIN.md "Results and targets"), and nothing that judges by ordinary targets ever sees it."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinics import services
from clinics.models import Clinic, RemedialPlan, TrajectoryPoint
from indicators.data_entry.services.targets import target_set
from indicators.models import Assessment, Target, TargetChange
from indicators.services.assessments import recompute_assessments


def _sign_off(plan, users):
    services.remedial_plan_sign_off(user=users["councillor"], plan=plan, stage="member")
    return services.remedial_plan_sign_off(user=users["cmt"], plan=plan, stage="cmt")


@pytest.fixture
def signed_off(plan_inputs, users):
    return _sign_off(services.remedial_plan_create(**plan_inputs), users)


def _later_plan(first, users, values):
    """A second clinic's plan for the same indicator, over the first plan's periods."""
    clinic = Clinic.objects.create(
        reason="Still off track in the new year.",
        requested_at=timezone.now(),
        status=Clinic.Status.HELD,
        decision=Clinic.Decision.REMEDIAL_PLAN,
    )
    clinic.indicators.set([first.indicator])
    plan = RemedialPlan.objects.create(
        clinic=clinic,
        indicator=first.indicator,
        owner=users["head"],
        monitoring="Fortnightly to the hub.",
        monitoring_frequency="monthly",
        recovery_criteria="Two months at the target.",
        created_at=timezone.now(),
    )
    TrajectoryPoint.objects.bulk_create(
        TrajectoryPoint(plan=plan, period=p.period, expected=v)
        for p, v in zip(first.trajectory.order_by("period__start")[:3], values, strict=True)
    )
    return _sign_off(plan, users)


def test_a_draft_plan_sets_no_trajectory_target(plan_inputs):
    services.remedial_plan_create(**plan_inputs)
    assert not Target.trajectories.exists()


def test_sign_off_makes_the_trajectory_targets_of_kind_trajectory(signed_off, red_indicator):
    points = list(signed_off.trajectory.select_related("target", "period"))
    assert len(points) == 6
    for point in points:
        assert point.target.kind == Target.Kind.TRAJECTORY
        assert point.target.value == point.expected and point.target.period == point.period
        assert point.target.indicator == red_indicator
    assert Target.trajectories.count() == 6


def test_ordinary_target_readers_never_see_a_trajectory(signed_off, red_indicator, users):
    # The January 2016 profile target (10) and the trajectory (12.5) share the period.
    january = signed_off.trajectory.order_by("period__start").first()
    assert Target.all_kinds.filter(indicator=red_indicator, period=january.period).count() == 2
    assert Target.objects.get(indicator=red_indicator, period=january.period).value == Decimal(10)
    assert not red_indicator.targets.filter(kind=Target.Kind.TRAJECTORY).exists()
    assert {t.kind for t in red_indicator.targets.all()} == {Target.Kind.TARGET}
    # The hub's targets service edits the ordinary target, leaving the trajectory alone.
    assert target_set(user=users["hub"], indicator=red_indicator, period=january.period, value=Decimal(9))
    january.refresh_from_db()
    assert january.target.value == Decimal("12.5")
    assert list(TargetChange.objects.values_list("new_value", flat=True)) == [Decimal(9)]


def test_trajectory_targets_leave_the_assessments_as_they_were(plan_inputs, users, red_indicator):
    before = list(Assessment.objects.order_by("period__start").values_list("period_id", "target", "rag"))
    _sign_off(services.remedial_plan_create(**plan_inputs), users)
    recompute_assessments()
    after = list(Assessment.objects.order_by("period__start").values_list("period_id", "target", "rag"))
    assert after == before


def test_one_trajectory_target_per_indicator_period_and_kind(signed_off, red_indicator):
    point = signed_off.trajectory.select_related("target").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.all_kinds.create(
            indicator=red_indicator, period=point.period, kind=Target.Kind.TRAJECTORY, value=Decimal(1)
        )


def test_the_targets_page_and_admin_list_no_trajectory(
    signed_off, red_indicator, client, users, admin_client
):
    client.force_login(users["hub"])
    page = client.get(f"/targets/{red_indicator.reference}/").content.decode()
    assert "12.5" not in page and "Jan 2016" in page  # the profile target, not the trajectory
    admin = admin_client.get("/admin/indicators/target/").content.decode()
    assert "12.5" not in admin
    inline = admin_client.get(f"/admin/indicators/indicator/{red_indicator.id}/change/").content.decode()
    assert "targets-0-value" in inline and "-kind" not in inline


def test_a_later_plan_takes_over_the_periods_and_the_earlier_keeps_its_values(signed_off, users):
    later = _later_plan(signed_off, users, [Decimal(11), Decimal(10.5), Decimal(10)])
    assert Target.trajectories.count() == 6  # three taken over, three still the first plan's
    assert sorted(later.trajectory.values_list("target__value", flat=True)) == [10, Decimal("10.5"), 11]
    first = list(signed_off.trajectory.order_by("period__start").values_list("expected", "target"))
    assert [e for e, _ in first] == [Decimal(v) for v in ("12.5", "12", "11.5", "11", "10.5", "10")]
    assert [t is None for _, t in first] == [True, True, True, False, False, False]
    taken = signed_off.events.get(action="trajectory_taken_over")
    assert (
        f"Remedial plan {later.id}'s trajectory is now the target for Jan 2016, Feb 2016, Mar 2016"
        in taken.note
    )
    # The earlier plan's tracking still reads against what it agreed.
    assert [r.expected for r in services.plan_tracking(signed_off).rows][0] == Decimal("12.5")


def test_closing_a_plan_gives_up_its_targets_but_keeps_its_trajectory(signed_off, users):
    services.remedial_plan_close(
        user=users["hub"], plan=signed_off, closure="superseded", note="Replaced by the new year's plan."
    )
    assert not Target.trajectories.exists()
    assert signed_off.trajectory.count() == 6
    assert not signed_off.trajectory.filter(target__isnull=False).exists()


def test_deleting_a_plan_deletes_its_trajectory_targets(signed_off):
    signed_off.clinic.delete()
    assert not Target.trajectories.exists() and Target.objects.exists()


def test_the_chart_draws_the_live_trajectory_targets(signed_off, users, red_indicator, add_results):
    from clinics.selectors import trajectory_chart_series

    add_results(red_indicator, [13], [datetime.date(2016, 1, 1)])
    january = signed_off.trajectory.order_by("period__start").first()
    series = trajectory_chart_series(
        None, indicator=red_indicator, user=users["hub"], actuals={january.period_id: Decimal(13)}
    )
    assert len(series) == 1
    assert [v for _, v, _ in series[0].points][:2] == [Decimal("12.5"), Decimal(12)]
    assert [label for _, _, label in series[0].flagged] == ["Jan 2016"]
    # Someone who may not open the plan's clinic sees no trajectory.
    assert trajectory_chart_series(None, indicator=red_indicator, user=users["officer"], actuals={}) == []
