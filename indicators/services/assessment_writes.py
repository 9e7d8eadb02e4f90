"""Write a recompute's assessments: only the rows that differ from what is stored.

A recompute computes every assessment of the indicators it covers; `plan_changes` reads what is
stored for them (one plain SELECT, no model instances), compares row by row in the database's
own terms, and keeps only the differences: rows to insert, rows to update (by their natural key,
indicator and period, so row ids stay put) and rows to delete. A recompute of unchanged data
therefore writes nothing, and a nightly run on a quiet day leaves no dead rows behind (the old
delete-everything-and-insert left 120,000 dead rows per run at 1,000 indicators: the table and
its indexes grew with every run and the scorecards slowed week by week).

How the differences are written (`ChangePlan.apply`, one transaction, a fixed number of queries):

- **PostgreSQL**: the deletes (one `DELETE ... WHERE id = ANY(...)`), then the inserts and updates
  streamed by one `COPY` into a temporary table and merged by two `MERGE`
  statements: first the rows that are not their indicator's latest, then those that are, so the
  unique "one latest assessment per indicator" index never sees two latest rows at once (it is
  checked row by row, not at the end of a statement).
- **SQLite**: the deletes in batches, then one `INSERT ... ON CONFLICT (indicator, period) DO
  UPDATE` of a single row executed for every row (`executemany`), in the same two passes.

**Foreign keys** (issue 12: "check as the rows are written, or drop the ones the recompute
guarantees"): checked as the rows are written. Django declares every foreign key `DEFERRABLE
INITIALLY DEFERRED`, and PostgreSQL then queues one check per key per written row until the
commit: 3 keys x 120,000 rows took 1.5 s at the commit of a full rewrite. `apply` switches the
transaction to `SET CONSTRAINTS ALL IMMEDIATE` for its writes (and back to deferred after), so
the checks run as each row is written, against indexes already in memory. The keys are kept, not
dropped: an indicator or period deleted by another session while a recompute runs must still
fail the recompute rather than leave assessments pointing at nothing, and only the changed rows
are checked at all now. SQLite checks its (deferred) keys at commit; nothing to change there.

`computed_at` is not compared: it is the time the row was last written with new values, so an
unchanged assessment keeps the time it was last changed.
"""

import datetime
import functools
import json
import operator
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, models
from django.db.models.functions import Cast

from indicators.analytics.memo import Memo
from indicators.models import Assessment
from indicators.services.bulk_writes import copy_rows
from indicators.services.plain_sql import list_param, one_of, quoted

COLUMNS = (
    "indicator_id",
    "period_id",
    "value",
    "target",
    "rag",
    "direction",
    "comparator_period_id",
    "comparator_value",
    "is_latest",
    "variation",
    "special_cause_rule",
    "assurance",
    "centre_line",
    "upper_limit",
    "lower_limit",
    "trial_limits",
    "shift_since",
    "forecast_value",
    "forecast_low",
    "forecast_high",
    "forecast_method",
    "forecast_inputs",
    "forecast_rag",
    "computed_at",
)
INPUTS = COLUMNS.index("forecast_inputs")
LATEST = COLUMNS.index("is_latest")
# What is compared with the stored row: every column but the key, the JSON inputs (compared as
# parsed values) and computed_at; in this order.
COMPARED = tuple(
    i for i, name in enumerate(COLUMNS) if i >= 2 and name not in {"forecast_inputs", "computed_at"}
)
# Written as the text of their Decimals (`assessments._rows_to_write`), and read back as text on
# PostgreSQL (`_stored_sql`).
DECIMAL_COLUMNS = {
    i for i, name in enumerate(COLUMNS) if isinstance(Assessment._meta.get_field(name), models.DecimalField)
}
DATE_COLUMNS = {
    i for i, name in enumerate(COLUMNS) if type(Assessment._meta.get_field(name)) is models.DateField
}
BATCH_SIZE = 2000


@dataclass
class ChangePlan:
    """The differences between the computed assessments and the stored ones."""

    inserts: list[tuple] = field(default_factory=list)
    updates: list[tuple] = field(default_factory=list)
    deletes: list[int] = field(default_factory=list)
    changed_indicator_ids: set[int] = field(default_factory=set)
    # A full recompute (every indicator) writes through COPY and MERGE on PostgreSQL; the recompute
    # of a few indicators after an edit (about a hundred rows) by the two upserts SQLite uses:
    # two statements instead of seven, where the temporary table costs more than it saves.
    bulk: bool = True

    def absorb(self, other: "ChangePlan") -> None:
        """Add another share's differences (other indicators': `assessments._recompute_shared`)."""
        self.inserts += other.inserts
        self.updates += other.updates
        self.deletes += other.deletes
        self.changed_indicator_ids |= other.changed_indicator_ids

    @property
    def written(self) -> int:
        return len(self.inserts) + len(self.updates) + len(self.deletes)

    @property
    def merges(self) -> bool:
        """Whether `apply` writes by COPY and MERGE (PostgreSQL, a full recompute with changes)."""
        return connection.vendor == "postgresql" and self.bulk and self.written > 0

    def apply[T](self, meanwhile: Callable[[], T] = lambda: None) -> T:
        """Write the differences (call inside a transaction). Nothing at all when there are none.

        `meanwhile`: work that needs no query (the recompute's scorecard summaries), done while
        PostgreSQL merges a full recompute's rows (`_merge`: half a second of the server's time
        at 1,000 indicators, in which this process would wait); otherwise after writing.
        Returns what it returns.
        """
        if not self.written:
            return meanwhile()
        merge = self.merges
        table = connection.ops.quote_name(Assessment._meta.db_table)
        postgres = connection.vendor == "postgresql"
        with connection.cursor() as cursor:
            if merge:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # see the module docstring
            if self.deletes:
                _delete(cursor, table, self.deletes, postgres)
            # Not-latest rows first, then latest ones: the partial unique index on the latest
            # assessment is checked row by row.
            changed = self.inserts + self.updates
            passes = [[r for r in changed if not r[LATEST]], [r for r in changed if r[LATEST]]]
            if merge:
                done = _merge(cursor, table, passes, meanwhile)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                return done
            for rows in passes:
                _upsert(cursor, table, rows)
        return meanwhile()


def _quoted(names) -> str:
    return ", ".join(connection.ops.quote_name(n) for n in names)


def _delete(cursor, table: str, ids: list[int], postgres: bool) -> None:
    if postgres:
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])  # noqa: S608 — quoted name
        return
    limit = connection.features.max_query_params or BATCH_SIZE
    for i in range(0, len(ids), limit):
        batch = ids[i : i + limit]
        cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(batch))})", batch)  # noqa: S608


def _upsert(cursor, table: str, rows: list[tuple]) -> None:
    """Upserts on the (indicator, period) unique index (SQLite; PostgreSQL after an edit).

    PostgreSQL: each batch's rows go as ONE parameter, a JSON array of rows, unpacked by the
    database (`_upsert_sql`): issue 12, after an edit the 120 rows x 24 values were 2,880
    parameters, and quoting them (psycopg's client-side binding of 24 arrays; Django's log of
    them) cost more than the upsert. The values are those the parameters carried: numbers as text
    (Decimals exactly), booleans, text, NULLs. SQLite: `_upsert_values`, whatever the number of rows.
    """
    if connection.vendor == "sqlite":
        _upsert_values(cursor, table, rows)
        return
    sql = _upsert_sql(table, connection.vendor)
    for i in range(0, len(rows), BATCH_SIZE):
        cursor.execute(sql, [json.dumps(rows[i : i + BATCH_SIZE], default=_as_json_text)])


def _upsert_values(cursor, table: str, rows: list[tuple]) -> None:
    """SQLite: one single-row upsert, executed for every row (`executemany`): one query a pass.

    SQLite compiles the statement once and binds each row's values to it in C. Issue 12: a full
    recompute's multi-row VALUES of 1,365 rows (SQLite's 32,766 parameters) had SQLite parse
    32,766 placeholders per statement and Django quote every one into its query log when queries
    are recorded (`manage.py bench`, DEBUG): 5 s of a 12 s full recompute. After an edit, the
    rows as one JSON parameter (`json_each`, then `json_extract` re-parsing each row's text for
    each of its 24 columns) took longer than binding them. The values stored are the same: a
    Decimal and a date go as their text, a boolean as 1 or 0.
    """
    if rows:
        cursor.executemany(_upsert_row_sql(table), rows)


@functools.cache
def _upsert_row_sql(table: str) -> str:
    q = connection.ops.quote_name
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COLUMNS[2:])
    # Names come from the model, quoted by the backend; every value is a parameter.
    return (
        f"INSERT INTO {table} ({_quoted(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "  # noqa: S608
        f"ON CONFLICT (indicator_id, period_id) DO UPDATE SET {updates}"
    )


def _as_json_text(value) -> str:
    """A value json cannot write, as the text the database reads for its column (Decimal, dates)."""
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    raise TypeError(f"{type(value).__name__} in an assessment row")


@functools.cache
def _upsert_sql(table: str, vendor: str) -> str:
    """PostgreSQL: the upsert of a JSON array of rows (in `COLUMNS` order), built once per process."""
    q = connection.ops.quote_name
    updates = ", ".join(f"{q(c)} = excluded.{q(c)}" for c in COLUMNS[2:])
    # Each value as text, cast to its column's type (jsonb from its JSON text).
    values = ", ".join(f"(v->>{n})::{_column_type(c)}" for n, c in enumerate(COLUMNS))
    # jsonb, not json: json_array_elements re-parses the text of each element for every `->>`
    # (24 a row); jsonb is parsed once (EXPLAIN ANALYZE of an edit's 120 rows: 4.0 ms -> 0.8 ms).
    source = "jsonb_array_elements(%s::jsonb) AS v"
    return (
        f"INSERT INTO {table} ({_quoted(COLUMNS)}) SELECT {values} FROM {source} "  # noqa: S608 — quoted names
        f"ON CONFLICT (indicator_id, period_id) DO UPDATE SET {updates}"
    )


def _column_type(name: str) -> str:
    """The column's SQL type (PostgreSQL), for casting its values."""
    return Assessment._meta.get_field(name.removesuffix("_id")).db_type(connection)


def _merge[T](cursor, table: str, passes: list[list[tuple]], meanwhile: Callable[[], T]) -> T:
    """PostgreSQL: one COPY into a temporary table, a MERGE per pass, and the table dropped.

    The MERGEs and the DROP go out in psycopg's pipeline mode (COPY cannot) and `meanwhile` runs
    while the server works through them; their errors are raised when the pipeline closes, as
    Django's own (`wrap_database_errors`). Django's query log does not see the raw psycopg
    cursor's COPY, so it is recorded there by hand and counts as one query.
    """
    columns = _quoted(COLUMNS)
    cursor.execute(
        f"CREATE TEMPORARY TABLE kpi_assessment_changes ON COMMIT DROP AS "  # noqa: S608
        f"SELECT {columns} FROM {table} WITH NO DATA"
    )
    copy_rows(
        cursor,
        f"COPY kpi_assessment_changes ({columns}) FROM STDIN",
        (row for rows in passes for row in rows),
    )
    assignments = ", ".join(
        f"{connection.ops.quote_name(c)} = t.{connection.ops.quote_name(c)}" for c in COLUMNS[2:]
    )
    values = ", ".join(f"t.{connection.ops.quote_name(c)}" for c in COLUMNS)
    with pipeline():
        for latest, rows in zip(("NOT is_latest", "is_latest"), passes, strict=True):
            if not rows:
                continue
            # Each pass reads only its own rows, and says how many there are: the temporary table
            # has no statistics, so without the LIMIT (exactly the pass's row count: it changes
            # nothing) the planner hashed all 120,000 stored assessments to update the 1,000
            # latest ones (250 ms); knowing the pass has 1,000 rows it looks each one up by the
            # unique index (57 ms). The first pass (every other row) is a hash join either way.
            cursor.execute(
                f"MERGE INTO {table} AS a "  # noqa: S608 — quoted names, an int
                f"USING (SELECT * FROM kpi_assessment_changes WHERE {latest} LIMIT {len(rows):d}) AS t "
                f"ON a.indicator_id = t.indicator_id AND a.period_id = t.period_id "
                f"WHEN MATCHED THEN UPDATE SET {assignments} "
                f"WHEN NOT MATCHED THEN INSERT ({columns}) VALUES ({values})"
            )
        # Dropped now, not only at commit: a caller's transaction may hold two recomputes.
        cursor.execute("DROP TABLE kpi_assessment_changes")
        return meanwhile()


def _stored(indicator_ids: list[int] | None) -> dict[tuple[int, int], tuple]:
    """What is stored: {(indicator, period): (id, compared values..., inputs)} by one plain SELECT."""
    with stored_rows_sent(indicator_ids) as stored:
        return stored()


@contextmanager
def pipeline() -> Iterator[None]:
    """PostgreSQL: psycopg's pipeline mode on Django's connection. Statements executed inside are
    sent at once and their results read when needed (or when it closes), so the caller can compute
    while the server works; the errors it raises on closing are Django's (`IntegrityError`...).

    Elsewhere, and with a libpq older than 14 (no pipeline mode: possible where psycopg is built
    against the system's libpq rather than its binary wheel), each statement simply runs as it is
    executed.
    """
    import psycopg

    if connection.vendor != "postgresql" or not psycopg.Pipeline.is_supported():
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


@contextmanager
def stored_rows_sent(indicator_ids: list[int] | None) -> Iterator[Callable[[], dict]]:
    """`_stored`'s SELECT sent on entry; the function given reads its rows when called.

    On PostgreSQL the query goes out in psycopg's pipeline mode and the server runs it, and
    streams its 120,000 rows, while the recompute assesses every series (a second and more of pure
    Python in which the connection would sit idle): the reading then costs only the rows'
    conversion (issue 12). Until the rows are read, nothing else may use the connection: the
    body computes, it does not query. Elsewhere the SELECT simply runs on entry.
    """
    sql = _stored_sql(connection.vendor, filtered=indicator_ids is not None)
    params = [] if indicator_ids is None else [list_param(indicator_ids)]
    read: dict[tuple[int, int], tuple] | None = None

    def rows() -> dict[tuple[int, int], tuple]:
        nonlocal read
        if read is None:  # read once (an empty result too)
            # Plain rows: no converters, compared in the database's terms.
            read = {(row[1], row[2]): row for row in cursor.fetchall()}
        return read

    with connection.cursor() as cursor, pipeline():
        cursor.execute(sql, params)
        yield rows
        rows()  # read before the pipeline closes, whether or not the body asked


@functools.cache
def _stored_sql(vendor: str, *, filtered: bool) -> str:
    """`_stored`'s SELECT, compiled by the ORM once per process (after an edit, compiling it took
    longer than running it); ``filtered``: for the indicators of one `list_param` parameter."""
    rows = Assessment.objects.order_by()
    compared = [COLUMNS[i] for i in COMPARED]
    if vendor == "postgresql":
        # The numbers are written as their text (`assessments._rows_to_write`) and read as text
        # (numeric's own output: four places), so an unchanged row compares as strings: loading
        # 120,000 rows' numbers as Decimals was half of reading them (0.3 of 0.6 s, issue 12).
        texts = {COLUMNS[i] for i in DECIMAL_COLUMNS}
        rows = rows.annotate(**{f"{name}_as_text": Cast(name, models.TextField()) for name in texts})
        compared = [f"{name}_as_text" if name in texts else name for name in compared]
    else:
        # SQLite's cursor turns a date column into a date (Django's converter for its declared
        # type), while the computed row holds the text written to it: read the text itself, so the
        # rows compare as they are, with no conversion per row in `plan_changes`.
        dates = {COLUMNS[i] for i in DATE_COLUMNS}
        rows = rows.annotate(**{f"{name}_as_text": Cast(name, models.TextField()) for name in dates})
        compared = [f"{name}_as_text" if name in dates else name for name in compared]
    names = ["id", "indicator_id", "period_id", *compared, "forecast_inputs"]
    sql, params = rows.values_list(*names).query.sql_with_params()
    if params:
        raise ValueError("The stored assessments' SELECT has no parameters of its own.")
    if filtered:
        column = f"{quoted(Assessment)}.{quoted(Assessment, 'indicator')}"
        sql += f" WHERE {one_of(column)}"
    return sql


def _parsed(inputs) -> dict:
    if inputs is None or inputs == "{}":
        return {}
    return inputs if isinstance(inputs, dict | list) else json.loads(inputs)


def _same_number(computed, stored) -> bool:
    """SQLite: a decimal column holds what SQLite made of the text it was given (REAL or INTEGER).

    ``computed``: the text of a Decimal (`assessments._rows_to_write`)."""
    if computed is None or stored is None:
        return computed is stored
    if isinstance(stored, str):
        return Decimal(computed) == Decimal(stored)
    return float(computed) == stored


def _sqlite_same(first: int):
    """SQLite: whether a computed row equals its stored one (`first`: where the stored row's
    compared values begin). A decimal column holds REAL (or INTEGER) there: the computed numbers
    (the text of each Decimal) are compared as the floats SQLite made of them, the other columns
    as they are, each as one tuple comparison; where that finds a difference, `_same_number` looks again column by column
    (a value SQLite kept as text). A date is read as its text (`_stored`), as it was written.
    """
    decimal = [i for i in COMPARED if i in DECIMAL_COLUMNS]
    other = [i for i in COMPARED if i not in DECIMAL_COLUMNS]
    computed_decimals, computed_other = operator.itemgetter(*decimal), operator.itemgetter(*other)
    position = {i: first + n for n, i in enumerate(COMPARED)}
    stored_decimals = operator.itemgetter(*(position[i] for i in decimal))
    stored_other = operator.itemgetter(*(position[i] for i in other))
    # {number's text: the float SQLite made of it}: a centre line's or limit's text is one shared
    # object along its segment, so each is converted once.
    as_float = Memo(float, {None: None}).__getitem__

    def same(row, old) -> bool:
        if computed_other(row) != stored_other(old):
            return False
        if tuple(map(as_float, computed_decimals(row))) == stored_decimals(old):
            return True
        return all(_same_number(row[i], old[position[i]]) for i in decimal)

    return same


def _in_database_form(row: tuple, prepare) -> tuple:
    """A row to write, its forecast inputs (a plain dict until now) in database form."""
    inputs = row[INPUTS]
    return (*row[:INPUTS], prepare(inputs), *row[INPUTS + 1 :])


def plan_changes(
    rows: list[tuple], indicator_ids: list[int] | None, stored: dict[tuple[int, int], tuple] | None = None
) -> ChangePlan:
    """Compare computed rows (in `COLUMNS` order, database form) with the stored ones.

    The forecast inputs of each row are a plain dict, compared parsed (not as JSON text) and put
    in database form only for the rows that are written.
    ``indicator_ids``: the indicators recomputed (None: all), so stored rows of others are left alone.
    ``stored``: their stored rows already read (`stored_rows_sent`); read here when not given.
    """
    stored = _stored(indicator_ids) if stored is None else stored
    plan = ChangePlan()
    # PostgreSQL gives the numbers back as the text they were written as (`_stored_sql`): a
    # computed row's compared values equal the stored row's slice as one tuple comparison.
    postgres = connection.vendor == "postgresql"
    first = 3  # id, indicator, period come first in the stored row
    end = first + len(COMPARED)
    if postgres:
        compared = operator.itemgetter(*COMPARED)

        def same(row, old) -> bool:
            return compared(row) == old[first:end]
    else:
        same = _sqlite_same(first)
    for row in rows:
        old = stored.pop((row[0], row[1]), None)
        if old is None:
            plan.inserts.append(row)
            plan.changed_indicator_ids.add(row[0])
            continue
        if not same(row, old) or row[INPUTS] != _parsed(old[end]):
            plan.updates.append(row)
            plan.changed_indicator_ids.add(row[0])
    for old in stored.values():
        plan.deletes.append(old[0])
        plan.changed_indicator_ids.add(old[1])
    plan.bulk = indicator_ids is None
    if plan.inserts or plan.updates:
        if connection.vendor == "postgresql":
            # JSON text, as the JSONField would write it (json.dumps, no encoder): COPY and a
            # parameter take text for a jsonb column, and a Jsonb wrapper per row cost a second
            # of dumping at 120,000 rows.
            def prepare(inputs: dict):
                return json.dumps(inputs) if inputs else "{}"
        else:
            inputs_field = Assessment._meta.get_field("forecast_inputs")
            empty = inputs_field.get_db_prep_save({}, connection)

            def prepare(inputs: dict):
                return inputs_field.get_db_prep_save(inputs, connection) if inputs else empty

        plan.inserts = [_in_database_form(r, prepare) for r in plan.inserts]
        plan.updates = [_in_database_form(r, prepare) for r in plan.updates]
    return plan
