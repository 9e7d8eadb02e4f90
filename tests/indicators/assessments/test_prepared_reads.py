"""`PreparedValues.send`: a read sent now and read later gives exactly what `rows` gives (issue 12).

The recompute sends its six input reads together (PostgreSQL pipeline mode) and reads them after;
the rows must be the ORM's, whatever the number of ids (none, one, a prepared few, more than are
prepared, repeated) and inside or outside the pipeline.
"""

import pytest
from django.db import DatabaseError, transaction
from django.db.models.expressions import RawSQL

from indicators.models import Result
from indicators.services.assessment_writes import pipeline
from indicators.services.plain_sql import PREPARED_MAX_IDS, PreparedValues

RESULTS = PreparedValues(
    lambda ids: (
        Result.objects.all() if ids is None else Result.objects.filter(indicator_id__in=ids)
    ).values_list("indicator_id", "period_id", "value")
)


def orm(ids):
    queryset = Result.objects.all() if ids is None else Result.objects.filter(indicator_id__in=ids)
    return sorted(queryset.values_list("indicator_id", "period_id", "value"))


@pytest.fixture
def indicator_ids(build_council):
    build_council(PREPARED_MAX_IDS + 3, months=6)
    return sorted(set(Result.objects.values_list("indicator_id", flat=True)))


@pytest.mark.django_db
def test_each_number_of_ids_reads_what_the_orm_reads(indicator_ids):
    cases = [None, [], indicator_ids[:1], indicator_ids[:3], indicator_ids[:3] * 2, indicator_ids]
    assert len(indicator_ids) > PREPARED_MAX_IDS  # the last case is compiled fresh, not prepared
    for ids in cases:
        assert sorted(RESULTS.send(ids)()) == orm(ids) == sorted(RESULTS.rows(ids))
    for ids in cases:  # a second time: from the compiled SQL kept per number of ids
        assert sorted(RESULTS.send(ids)()) == orm(ids)


@pytest.mark.django_db
def test_reads_sent_together_in_the_pipeline_each_get_their_own_rows(indicator_ids):
    first, second = indicator_ids[:2], indicator_ids[5:9]
    with pipeline():
        reads = [RESULTS.send(first), RESULTS.send(None), RESULTS.send(second), RESULTS.send([])]
    assert [sorted(read()) for read in reads] == [orm(first), orm(None), orm(second), []]
    assert Result.objects.count() == len(orm(None))  # the connection is usable afterwards


@pytest.mark.django_db
def test_a_failing_read_raises_django_s_error_and_leaves_the_connection_usable(indicator_ids):
    broken = PreparedValues(
        lambda ids: Result.objects.annotate(x=RawSQL("no_such_column", [])).values_list("x")
    )
    with pytest.raises(DatabaseError, match="no_such_column"), transaction.atomic():
        broken.send(None)
    assert sorted(RESULTS.send(indicator_ids[:1])()) == orm(indicator_ids[:1])
