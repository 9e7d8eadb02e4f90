"""The recompute's inputs read with decimals converted as Django converts them (issue 12, SQLite).

`plain_sql._fetch` converts a decimal column's stored values itself (Django builds a context per
value): the Decimals must be exactly Django's, sign, digits and exponent.
"""

import decimal
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.expressions import Col
from hypothesis import given
from hypothesis import strategies as st

from indicators.models import Result
from indicators.services.plain_sql import _fetch, _sqlite_decimal

FIELD = Result._meta.get_field("value")


def django_converts(value):
    """Django's own SQLite converter for the column."""
    from django.db.backends.sqlite3.base import DatabaseOperations  # base first: no import cycle

    converter = DatabaseOperations(connection).get_decimalfield_converter(Col(Result._meta.db_table, FIELD))
    return converter(value, Col(Result._meta.db_table, FIELD), connection)


def same(a, b) -> bool:
    return (a is None and b is None) or (a.as_tuple() == b.as_tuple())


@pytest.mark.parametrize("value", [None, 0, 0.0, -0.0, 2, 2.0, -2.5, 0.1, 1e-9, 12345.6789, 10**12, "3.25"])
def test_edge_values_convert_as_django_does(value):
    assert same(_sqlite_decimal(FIELD)(value), django_converts(value))


@given(st.lists(st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.integers(-(10**12), 10**12))))
def test_any_values_convert_as_django_does_even_repeated(values):
    convert = _sqlite_decimal(FIELD)  # one cache over the whole list, as in one read
    for value in values + values:
        assert same(convert(value), django_converts(value))


@pytest.mark.django_db
def test_a_read_gives_what_the_orm_gives(build_council):
    build_council(3, months=24)
    rows = Result.objects.values_list("indicator_id", "period_id", "value")
    ours, orm = _fetch(rows), list(rows)
    assert ours == orm
    assert all(same(a[2], b[2]) for a, b in zip(ours, orm, strict=True))
    assert decimal.getcontext().prec == 28  # no context of ours leaked into the thread's
    assert isinstance(ours[0][2], Decimal)
