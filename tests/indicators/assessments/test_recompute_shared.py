"""A full recompute shared with a forked second process writes exactly what one process writes.

`second_process.available()` is false in the test workers (pytest-xdist runs a thread beside
the tests), so these tests allow the fork themselves (`shared`): on PostgreSQL in transactional
tests, where the child's own connection sees the committed rows; on SQLite, whose in-memory test
database the child reads from its copy.
"""

import os
import threading
import warnings

import pytest
from django.db import connection, transaction
from django.db.models import F

from indicators.models import Assessment, IndicatorSummary, Result
from indicators.services import assessments, second_process
from indicators.services.assessments import recompute

POSTGRES = connection.vendor == "postgresql"
# On PostgreSQL the child needs the rows committed: transactional tests (each flushes the tables).
db = pytest.mark.django_db(transaction=True) if POSTGRES else pytest.mark.django_db


@pytest.fixture
def shared(monkeypatch):
    """Every full recompute shared with a second process, and each time it forked counted."""
    monkeypatch.setattr(second_process, "_one_thread", lambda: True)
    monkeypatch.setattr(assessments, "SECOND_PROCESS_FROM", 1)
    forks = []
    real = second_process.started

    def started(work):
        forks.append(work)
        with warnings.catch_warnings():  # "multi-threaded, fork() may deadlock": the xdist thread
            warnings.simplefilter("ignore", DeprecationWarning)
            return real(work)

    monkeypatch.setattr(second_process, "started", started)
    return forks


def one_process(monkeypatch):
    monkeypatch.setattr(assessments, "SECOND_PROCESS_FROM", 10**9)


def stored() -> dict:
    """Every stored assessment's values but its id and when it was written, by (indicator, period)."""
    names = [f.attname for f in Assessment._meta.concrete_fields if f.attname not in {"id", "computed_at"}]
    return {(row[0], row[1]): row for row in Assessment.objects.values_list(*names)}


def summaries() -> dict:
    return {s.indicator_id: s for s in IndicatorSummary.objects.all()}


def change_some(indicators) -> None:
    """A changed result, a deleted one and every value of one indicator moved."""
    first = Result.objects.filter(indicator=indicators[0]).order_by("-period__start").first()
    Result.objects.filter(id=first.id).update(value=first.value + 7)
    Result.objects.filter(indicator=indicators[1]).order_by("period__start").first().delete()
    Result.objects.filter(indicator=indicators[-1]).update(value=F("value") * 2)


@db
def test_the_shared_recompute_writes_what_one_process_writes(build_council, shared, monkeypatch):
    indicators = build_council(8, months=24)
    change_some(indicators)
    shared.clear()  # the council's first recompute
    outcome = recompute()
    assert shared, "the recompute did not fork"
    assert outcome.assessed == Result.objects.filter(status="approved").count()
    assert (
        outcome.updated > 24
    )  # (the deleted result's assessment: gone already where its signal's recompute ran)
    assert Assessment.objects.count() == outcome.assessed
    after_shared, summaries_shared = stored(), summaries()

    one_process(monkeypatch)
    again = recompute()  # one process finds nothing left to write: the same rows and summaries
    assert (again.written, again.summaries) == (0, 0)
    assert stored() == after_shared and summaries().keys() == summaries_shared.keys()


@db
def test_one_process_then_the_shared_recompute_finds_nothing_to_write(build_council, shared, monkeypatch):
    indicators = build_council(8, months=24)
    change_some(indicators)
    one_process(monkeypatch)
    first = recompute()
    assert first.written > 0
    before = stored()
    monkeypatch.setattr(assessments, "SECOND_PROCESS_FROM", 1)
    again = recompute()
    assert shared and (again.written, again.summaries) == (0, 0)
    assert stored() == before


@db
@pytest.mark.parametrize("count", [3, 30])
def test_the_shared_recompute_counts_the_second_process_queries(
    build_council, shared, django_assert_num_queries, count
):
    build_council(count, months=24)
    # The nine of one process (`test_recompute_bulk`), and the second process's own SELECT of
    # its share's stored rows, added to this process's log.
    with django_assert_num_queries(10):
        outcome = recompute()
    assert (outcome.assessed, outcome.written) == (count * 24, 0)


def done_here(build_council, shared, monkeypatch, caplog, logged: str, in_the_child=None) -> None:
    """A shared recompute whose second process gave nothing back (``in_the_child``: what it does
    instead of its share): why is logged, and this process writes every share itself."""
    change_some(build_council(6, months=24))
    if in_the_child is not None:
        parent, real = os.getpid(), assessments._their_share
        monkeypatch.setattr(
            assessments, "_their_share", lambda *a: in_the_child() if os.getpid() != parent else real(*a)
        )
    outcome = recompute()
    assert shared and outcome.written > 0
    assert logged in caplog.text
    one_process(monkeypatch)
    assert recompute().written == 0  # the child's share too: nothing left for one process


@db
def test_a_failed_second_process_leaves_its_share_to_this_one(build_council, shared, monkeypatch, caplog):
    def falls_over():
        raise RuntimeError("the child fell over")

    done_here(build_council, shared, monkeypatch, caplog, "the child fell over", falls_over)


@db
def test_a_second_process_that_dies_leaves_its_share_to_this_one(build_council, shared, monkeypatch, caplog):
    done_here(build_council, shared, monkeypatch, caplog, "without a result", lambda: os._exit(9))


@db
def test_a_fork_that_cannot_be_made_leaves_the_share_to_this_process(
    build_council, shared, monkeypatch, caplog
):
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(second_process.os, "fork", no_fork)
    done_here(build_council, shared, monkeypatch, caplog, "No second process")


@pytest.mark.django_db
def test_a_second_process_is_not_forked_where_it_is_not_safe(monkeypatch):
    monkeypatch.setattr(second_process, "_one_thread", lambda: True)
    if POSTGRES:  # a connection of the child's own would not see this transaction's rows
        assert connection.in_atomic_block and not second_process.available()
    else:  # the in-memory test database: the child reads its own copy, uncommitted rows too
        assert second_process.available()
    monkeypatch.undo()
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait)
    other.start()
    try:
        assert not second_process.available()  # another thread: a fork could deadlock
    finally:
        waiting.set()
        other.join()


@pytest.mark.django_db
def test_the_shares_hold_about_the_given_part_of_the_results():
    specs = [type("Spec", (), {"id": i})() for i in range(10)]
    rows = [(i, None) for i in range(10) for _ in range(10 if i < 5 else 30)]  # 50 then 150 results
    mine, theirs = assessments._shares(specs, rows, 0.55)
    assert [s.id for s in mine + theirs] == list(range(10))
    assert [s.id for s in mine] == [0, 1, 2, 3, 4, 5, 6, 7]  # 50 + 3 x 30 = 140 of 200: past 110
    assert assessments._shares(specs, [], 0.55) == ([], specs)
    last_is_most = [(0, None)] + [(1, None)] * 99
    assert assessments._shares(specs[:2], last_is_most, 0.55) == ([specs[0]], [specs[1]])


@db
def test_an_unchanged_shared_recompute_inside_a_transaction_on_sqlite_or_not_at_all(build_council, shared):
    build_council(4, months=12)
    shared.clear()  # the council's first recompute
    with transaction.atomic():
        outcome = recompute()
    assert outcome.written == 0
    assert bool(shared) == (not POSTGRES)  # PostgreSQL: not safe in a transaction, so one process
