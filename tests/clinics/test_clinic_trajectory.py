"""Trajectory checks and tracking (clinics.trajectory), on plain numbers."""

import datetime
from decimal import Decimal as Dec

from clinics.trajectory import (
    AWAITING,
    NO_RESULTS,
    OFF,
    OFF_TRACK,
    ON,
    ON_TRACK,
    RECOVERED,
    judge,
    track,
    trajectory_problems,
)

D = datetime.date
TRAJ = [
    (D(2016, 1, 1), "Jan 2016", Dec("10")),
    (D(2016, 2, 1), "Feb 2016", Dec("9")),
    (D(2016, 3, 1), "Mar 2016", Dec("8")),
]


def test_judge_by_polarity():
    assert judge(Dec("9"), Dec("10"), "up_is_bad") == ON
    assert judge(Dec("10"), Dec("10"), "up_is_bad") == ON
    assert judge(Dec("10.1"), Dec("10"), "up_is_bad") == OFF
    assert judge(Dec("9"), Dec("10"), "up_is_good") == OFF
    assert judge(Dec("10"), Dec("10"), "up_is_good") == ON
    assert judge(None, Dec("10"), "up_is_good") == AWAITING


def test_no_results_yet():
    tracking = track(TRAJ, {}, "up_is_bad")
    assert tracking.status == NO_RESULTS and tracking.latest is None
    assert [r.judgement for r in tracking.rows] == [AWAITING] * 3


def test_on_track_then_off_track_then_two_off_needs_notice():
    results = {D(2016, 1, 1): (Dec("9.5"), "red")}
    assert track(TRAJ, results, "up_is_bad").status == ON_TRACK
    results[D(2016, 2, 1)] = (Dec("9.5"), "red")
    tracking = track(TRAJ, results, "up_is_bad")
    assert tracking.status == OFF_TRACK and tracking.off_run == 1 and not tracking.needs_notice
    results[D(2016, 3, 1)] = (Dec("8.5"), "red")
    tracking = track(TRAJ, results, "up_is_bad")
    assert tracking.off_run == 2 and tracking.needs_notice
    assert tracking.status_label == "Off track"


def test_recovered_when_on_trajectory_and_green():
    results = {D(2016, 1, 1): (Dec("9"), "green")}
    assert track(TRAJ, results, "up_is_bad").status == RECOVERED


def test_a_gap_is_refused():
    starts = [D(2016, 1, 1), D(2016, 3, 1)]
    expected = [D(2016, 1, 1), D(2016, 2, 1), D(2016, 3, 1)]
    problems = trajectory_problems(starts, expected, [Dec(1), Dec(2)], plausible_min=None, plausible_max=None)
    assert problems and "gap" in problems[0] and "Feb 2016" in problems[0]


def test_outside_the_plausible_range_is_refused():
    starts = [D(2016, 1, 1)]
    problems = trajectory_problems(starts, starts, [Dec("120")], plausible_min=Dec(0), plausible_max=Dec(100))
    assert problems == ["An expected result is outside the indicator's plausible range (0 to 100)."]


def test_empty_trajectory_is_refused_and_a_good_one_accepted():
    assert trajectory_problems([], [], [], plausible_min=None, plausible_max=None)
    starts = [D(2016, 1, 1), D(2016, 2, 1)]
    assert (
        trajectory_problems(starts, starts, [Dec(5), Dec(4)], plausible_min=Dec(0), plausible_max=None) == []
    )
