"""The stored assessments' SELECT sent before the series are assessed and read after
(`assessment_writes.stored_rows_sent`; PostgreSQL's pipeline mode): the same rows as reading them
at once, every indicator or a few, and a failure in between leaves the connection usable."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from indicators.models import Assessment, Indicator, Result
from indicators.services import assessment_writes
from indicators.services.assessments import recompute
from tests.indicators.assessments.test_recompute_bulk import make

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(org):
    first = make(org, "SR1", [5, 7, 6, 9, 8, 12], target="8")
    second = make(org, "SR2", [40, 38, 41, 39])
    recompute()
    return first, second


def test_rows_read_after_other_work_are_the_rows_read_at_once(two):
    first, _ = two
    for ids in (None, [first.id]):
        at_once = assessment_writes._stored(ids)
        with assessment_writes.stored_rows_sent(ids) as stored:
            # What the recompute does meanwhile: pure computation, no query.
            sum(i * i for i in range(10_000))
            later = stored()
        assert later == at_once
        assert stored() is later  # read once
    assert len(assessment_writes._stored(None)) == Assessment.objects.count() == 10
    assert {key[0] for key in assessment_writes._stored([first.id])} == {first.id}


def test_a_failure_before_the_rows_are_read_leaves_the_connection_usable(two):
    with pytest.raises(ZeroDivisionError), assessment_writes.stored_rows_sent(None):
        1 / 0  # noqa: B018 — the recompute failing while the SELECT is out
    assert Indicator.objects.count() == 2
    outcome = recompute()  # and the next recompute runs as ever (nothing changed: nothing written)
    assert outcome.assessed == 10 and outcome.written == 0


def test_rows_never_asked_for_are_still_read_before_the_pipeline_closes(two):
    with assessment_writes.stored_rows_sent(None):
        pass
    assert Assessment.objects.filter(is_latest=True).count() == 2


def _row_for(indicator_id: int, period_id: int) -> tuple:
    """One row in `COLUMNS` order, in database form, as a recompute would write it."""
    from decimal import Decimal

    from django.utils import timezone

    values = {
        "indicator_id": indicator_id,
        "period_id": period_id,
        "value": Decimal("1.0000"),
        "is_latest": False,
        "trial_limits": False,
        "forecast_inputs": "{}",
        "computed_at": timezone.now(),
    }
    text = {
        "rag",
        "direction",
        "variation",
        "special_cause_rule",
        "assurance",
        "forecast_method",
        "forecast_rag",
    }
    return tuple(values.get(name, "" if name in text else None) for name in assessment_writes.COLUMNS)


def test_a_full_recompute_writes_and_works_out_its_summaries_meanwhile(two):
    first, _ = two
    stored = assessment_writes._stored(None)
    period = next(key[1] for key in stored if key[0] == first.id)
    changed = _row_for(first.id, period)
    plan = assessment_writes.ChangePlan(updates=[changed], changed_indicator_ids={first.id}, bulk=True)
    with transaction.atomic():
        assert plan.apply(meanwhile=lambda: "worked out") == "worked out"
    assert Assessment.objects.get(indicator=first, period_id=period).rag == ""


@pytest.mark.django_db(transaction=True)  # SQLite checks its deferred keys at a real commit
def test_a_refused_merge_is_djangos_integrity_error_and_writes_nothing(two):
    """A row naming a period that does not exist (deleted meanwhile, say): the database refuses it,
    as Django's IntegrityError (PostgreSQL raises it when the pipeline closes, SQLite at commit),
    and the transaction leaves the stored rows as they were."""
    first, _ = two
    before = assessment_writes._stored(None)
    plan = assessment_writes.ChangePlan(
        inserts=[_row_for(first.id, 987_654)], changed_indicator_ids={first.id}
    )
    ran = []
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.apply(meanwhile=lambda: ran.append(True))
    assert assessment_writes._stored(None) == before
    assert recompute().written == 0  # the connection is usable, nothing half-written


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pipeline mode")
def test_without_pipeline_mode_every_statement_runs_as_it_is_executed(two, monkeypatch):
    """A libpq older than 14 has no pipeline mode: the recompute writes the same rows without it."""
    import psycopg

    first, _ = two
    monkeypatch.setattr(psycopg.Pipeline, "is_supported", classmethod(lambda cls: False))
    Result.objects.filter(indicator=first).update(value=F("value") + 1)
    outcome = recompute()
    assert outcome.updated == 6 and outcome.summaries == 1
    assert recompute().written == 0
    monkeypatch.undo()
    assert recompute().written == 0  # and with the pipeline again: what was written is what it computes
