"""The stored assessments' SELECT sent before the series are assessed and read after
(`assessment_writes.stored_rows_sent`; PostgreSQL's pipeline mode): the same rows as reading them
at once, every indicator or a few, and a failure in between leaves the connection usable."""

import pytest

from indicators.models import Assessment, Indicator
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
