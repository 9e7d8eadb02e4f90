"""The bench's floors run on this database (SQLite or PostgreSQL, whichever the suite is on) and
write what their docstrings say: the recompute's floor one row per approved result with the
assessment's columns, for every indicator or the few asked for."""

import pytest
from django.db import connection

from indicators.models import Assessment, Result
from kpi_machine.management.commands import bench

pytestmark = pytest.mark.django_db


@pytest.fixture
def written(monkeypatch):
    """The rows each floor wrote into its temporary table, counted just before it is dropped."""
    counts = []
    real_cursor = connection.cursor

    class Counting:
        def __init__(self, cursor):
            self.cursor, self.inner = cursor.cursor, cursor

        def execute(self, sql, params=None):
            if sql == "DROP TABLE bench_floor":
                self.inner.execute("SELECT COUNT(*) FROM bench_floor")
                counts.append(self.inner.fetchone()[0])
            return self.inner.execute(sql, params)

        def __getattr__(self, name):
            return getattr(self.inner, name)

        def __enter__(self):
            self.inner.__enter__()
            return self

        def __exit__(self, *exc):
            return self.inner.__exit__(*exc)

    monkeypatch.setattr(connection, "cursor", lambda: Counting(real_cursor()))
    return counts


def test_each_floor_writes_one_row_per_approved_result(written):
    built = bench.build_council(6, 1)
    approved = Result.objects.filter(status="approved").count()
    assert approved == built["results"] > 0

    assert bench.floor_recompute() > 0
    assert bench.floor_recompute_narrow() > 0
    one = built["ids"][2]
    assert bench.floor_recompute([one]) > 0
    assert written == [approved, approved, Result.objects.filter(indicator_id=one).count()]


def test_the_recompute_floor_has_the_assessments_columns():
    columns = [f.column for f in Assessment._meta.concrete_fields if not f.primary_key]
    assert len(columns) == 24  # the floor's rows are built column by column in this order
    assert columns[:2] == ["indicator_id", "period_id"] and columns[-1] == "computed_at"


def test_a_floor_of_nothing_is_quick_and_writes_nothing(written):
    assert bench.floor_recompute() >= 0
    assert bench.floor_recompute([123456]) >= 0
    assert written == []
