"""Action progress RAG and overdue (pure): the issue's rule, on track ≥ 90 %, slippage ≥ 70 % of expected."""

import datetime
from decimal import Decimal

import pytest

from service_plans import progress as p

D = datetime.date
START, DUE = D(2016, 4, 1), D(2017, 3, 31)  # 364 days


def rag(percent, today, status=p.IN_PROGRESS, **kw):
    return p.progress_rag(status=status, percent_complete=percent, start=START, due=DUE, today=today, **kw)


def test_expected_share_of_time_elapsed():
    assert p.expected_percent(START, DUE, D(2016, 9, 30)) == Decimal(182 * 100) / 364  # half the year: 50 %
    assert p.expected_percent(START, DUE, D(2016, 3, 1)) == 0
    assert p.expected_percent(START, DUE, D(2017, 6, 1)) == 100


def test_half_way_through_time_and_45_percent_done_is_on_track():
    # 45 / 50 = 90 % of expected: exactly on the on-track threshold.
    assert rag(45, D(2016, 9, 30)) == p.ON_TRACK


def test_35_percent_at_half_time_is_some_slippage_and_34_is_off_track():
    assert rag(35, D(2016, 9, 30)) == p.SLIPPAGE  # 70 % of expected
    assert rag(34, D(2016, 9, 30)) == p.OFF_TRACK


def test_before_the_start_an_in_progress_action_is_on_track():
    assert rag(0, D(2016, 3, 1)) == p.ON_TRACK


def test_past_due_and_unfinished_is_off_track_and_overdue():
    assert rag(60, D(2017, 5, 1)) == p.OFF_TRACK
    assert p.is_overdue(status=p.IN_PROGRESS, due=DUE, today=D(2017, 4, 1))
    assert not p.is_overdue(status=p.IN_PROGRESS, due=DUE, today=DUE)


@pytest.mark.parametrize("status", [p.NOT_STARTED, p.DEFERRED, p.COMPLETED, p.CANCELLED])
def test_only_in_progress_actions_get_a_progress_rag(status):
    assert rag(10, D(2016, 9, 30), status=status) == ""


def test_completed_and_cancelled_are_never_overdue_but_deferred_is():
    late = D(2018, 1, 1)
    assert not p.is_overdue(status=p.COMPLETED, due=DUE, today=late)
    assert not p.is_overdue(status=p.CANCELLED, due=DUE, today=late)
    assert p.is_overdue(status=p.DEFERRED, due=DUE, today=late)


def test_thresholds_are_configurable():
    strict = p.Thresholds(on_track=Decimal(100), slippage=Decimal(95))
    assert rag(45, D(2016, 9, 30), thresholds=strict) == p.OFF_TRACK
    with pytest.raises(ValueError):
        p.Thresholds(on_track=Decimal(50), slippage=Decimal(70))


def test_update_due_by_frequency():
    today = D(2016, 1, 20)
    assert p.update_due(frequency="monthly", last_update=D(2015, 12, 1), today=today, status=p.IN_PROGRESS)
    assert not p.update_due(frequency="monthly", last_update=D(2016, 1, 1), today=today, status=p.IN_PROGRESS)
    # Q3 (Oct–Dec) done; January starts Q4.
    assert p.update_due(frequency="quarterly", last_update=D(2015, 11, 1), today=today, status=p.IN_PROGRESS)
    assert not p.update_due(
        frequency="quarterly", last_update=D(2016, 1, 1), today=today, status=p.IN_PROGRESS
    )
    assert not p.update_due(frequency="annual", last_update=D(2015, 4, 1), today=today, status=p.IN_PROGRESS)
    assert p.update_due(frequency="monthly", last_update=None, today=today, status=p.NOT_STARTED)
    assert not p.update_due(frequency="monthly", last_update=None, today=today, status=p.COMPLETED)
