"""Plain SQL for the hot paths of the recompute after an edit, built once per process.

Issue 12: after one edited result the recompute of its indicator ran about twenty small queries,
and building them (Django's query compiler, filter by filter) cost more than running them. These
helpers let a hot path keep its SQL text from one call to the next:

- `quoted`: a model's table or column name, quoted by the backend (names come from the models,
  so raw SQL follows a renamed column);
- `one_of` / `list_param`: "column is one of these values" with the whole list as ONE parameter
  (PostgreSQL `= ANY(array)`, SQLite `IN (SELECT value FROM json_each(json))`), so the statement's
  text does not change with the number of values and can be built once;
- `PreparedValues`: a `values_list` query compiled by the ORM once per process (and per number of
  ids), then executed with new ids and given back exactly as `values_list` would give it (the
  same converters: Decimals and booleans on SQLite).
"""

import decimal
import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import DecimalField, Model, QuerySet
from django.db.models.expressions import Col


def quoted(model: type[Model], field_name: str | None = None) -> str:
    """The quoted table of ``model``, or the quoted column of its field ``field_name``."""
    if field_name is None:
        return connection.ops.quote_name(model._meta.db_table)
    return connection.ops.quote_name(model._meta.get_field(field_name).column)


def one_of(column_sql: str) -> str:
    """SQL for "``column_sql`` is one of the values of one `list_param` parameter"."""
    if connection.vendor == "postgresql":
        return f"{column_sql} = ANY(%s)"
    return f"{column_sql} IN (SELECT value FROM json_each(%s))"  # noqa: S608 — a quoted column


def list_param(values: Sequence) -> object:
    """The parameter of a `one_of` condition: an array on PostgreSQL, JSON text on SQLite."""
    return list(values) if connection.vendor == "postgresql" else json.dumps(list(values))


# Stand-ins for the ids while a query is compiled: negative, so never a real id, and distinct, so
# each one's position among the compiled parameters says which id goes there.
_SENTINEL_BASE = -(10**15)
# Only small id lists are prepared (the recompute after an edit or a small import); larger ones
# are compiled each time, where compiling is a small part of the work.
PREPARED_MAX_IDS = 16


class PreparedValues:
    """A `values_list` query over some ids, compiled once per process and per number of ids.

    ``build(ids)`` returns the queryset (a `values_list`, no `flat`; ``ids`` None: unfiltered);
    `rows(ids)` gives what `list(build(ids))` would, as tuples, without compiling it again.
    """

    def __init__(self, build: Callable[[list[int]], QuerySet]):
        self.build = build
        self._compiled: dict[tuple, tuple] = {}

    def rows(self, ids: Sequence[int] | None) -> list[tuple]:
        if ids is None:
            return _fetch(self.build(None))
        ids = list(dict.fromkeys(ids))  # the ORM drops repeated values of an IN list too
        if not ids or len(ids) > PREPARED_MAX_IDS:
            return _fetch(self.build(ids))
        sql, values, converters, compiler = self._statement(ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            return _converted(cursor.fetchall(), converters, compiler)

    def send(self, ids: Sequence[int] | None) -> Callable[[], list[tuple]]:
        """Run the query now and give back a function that reads its rows (what `rows` gives).

        On PostgreSQL, inside `assessment_writes.pipeline()`, the query only goes out: several
        reads sent one after another reach the server together and are answered while the first
        is read (one round trip for all of them, not one each: after an edit the recompute's six
        reads took 2 ms, most of it waiting). Read them in the order sent, before anything else
        uses the connection. Elsewhere the rows are read at once.
        """
        if connection.vendor != "postgresql" or (ids is not None and not ids):
            rows = self.rows(ids)
            return lambda: rows
        sql, values, converters, compiler = self._statement(None if ids is None else list(dict.fromkeys(ids)))
        cursor = connection.cursor()
        try:
            cursor.execute(sql, values)
        except BaseException:
            cursor.close()
            raise

        def read() -> list[tuple]:
            with cursor:
                return _converted(cursor.fetchall(), converters, compiler)

        return read

    def _statement(self, ids: list[int] | None) -> tuple:
        """(SQL, parameters, converters, compiler) for these ids (distinct; None: unfiltered): kept
        per number of ids up to `PREPARED_MAX_IDS`, compiled afresh beyond."""
        if ids is not None and len(ids) > PREPARED_MAX_IDS:
            return _compiled(self.build(ids))
        key = (connection.alias, connection.vendor, None if ids is None else len(ids))
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = (
                _compiled(self.build(None)) if ids is None else self._compile(len(ids))
            )
        sql, params, converters, compiler = compiled
        return sql, [ids[p.index] if isinstance(p, _IdSlot) else p for p in params], converters, compiler

    def _compile(self, count: int) -> tuple:
        sentinels = [_SENTINEL_BASE - n for n in range(count)]
        sql, params, converters, compiler = _compiled(self.build(sentinels))
        slots = {value: n for n, value in enumerate(sentinels)}
        marked = [_IdSlot(slots[p]) if isinstance(p, int) and p in slots else p for p in params]
        if sum(isinstance(p, _IdSlot) for p in marked) < count:
            raise ValueError("PreparedValues: the query does not use every id as a parameter.")
        return sql, marked, converters, compiler


def _compiled(queryset: QuerySet) -> tuple:
    """(SQL, parameters, converters, compiler) of a `values_list` queryset."""
    compiler = queryset.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    return sql, list(params), compiler.get_converters(fields), compiler


def _converted(fetched: list, converters: dict, compiler) -> list[tuple]:
    """Fetched rows with the ORM's converters applied, as `values_list` gives them."""
    if converters:
        return [tuple(row) for row in compiler.apply_converters(fetched, converters)]
    return fetched


def _fetch(queryset: QuerySet) -> list[tuple]:
    """``list(queryset)`` of a `values_list` (no `flat`), the same tuples.

    On SQLite, when its only converted columns are decimal columns, the rows are fetched at once
    and each decimal converted by `_sqlite_decimal`, Django's own conversion with its context
    made once: Django's converter builds a `decimal.Context` for every value, and with the ORM's
    generator over chunks of 100 rows that was 0.3 s of CPU for a full recompute's 120,000 results
    (0.08 s to fetch them; PostgreSQL's driver gives Decimals itself). Anything else: the ORM.
    """
    if connection.vendor != "sqlite":
        return list(queryset)
    compiler = queryset.query.get_compiler(connection=connection)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # "in no ids": the ORM runs no query and gives no rows
        return []
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    convert = {}
    for index, (functions, expression) in converters.items():
        field = expression.output_field
        if not (
            isinstance(expression, Col)
            and isinstance(field, DecimalField)
            and field.decimal_places is not None
            and len(functions) == 1
        ):
            return list(queryset)
        convert[index] = _sqlite_decimal(field)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not convert:
        return fetched
    out = []
    for row in fetched:
        values = list(row)
        for index, function in convert.items():
            values[index] = function(values[index])
        out.append(tuple(values))
    return out


def _sqlite_decimal(field: DecimalField) -> Callable:
    """What `DatabaseOperations.get_decimalfield_converter` (SQLite) makes of a stored value, for
    ``field`` (a column): exactly its steps, with the 15-digit context built once and each distinct
    value converted once (results repeat: whole counts, percentages to one place)."""
    quantum = Decimal(1).scaleb(-field.decimal_places)
    context = field.context
    from_float = decimal.Context(prec=15).create_decimal_from_float
    # One cache per kind of stored value: 2 and 2.0 are one dict key, and a whole number too
    # large for a float's 15 digits would convert differently from the float.
    floats: dict[float, Decimal] = {}
    others: dict = {}

    def convert(value):
        if value is None:
            return None
        is_float = type(value) is float
        if not value:  # 0.0 and -0.0 are one key but "0" and "-0" distinct Decimals
            return (from_float(value) if is_float else Decimal(value)).quantize(quantum, context=context)
        seen = floats if is_float else others
        try:
            return seen[value]
        except KeyError:
            number = (from_float(value) if is_float else Decimal(value)).quantize(quantum, context=context)
            seen[value] = number
            return number

    return convert


class _IdSlot:
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index
