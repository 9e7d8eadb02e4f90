"""Many rows written in a few statements: PostgreSQL's COPY, Django's bulk methods elsewhere.

Django's `bulk_create` and `bulk_update` compile one parameter per cell and psycopg quotes each
in Python: for a 12,000-value import (12,000 results, 12,000 history rows) that is most of the
confirm's time. COPY streams the rows in psycopg's binary C adapter instead. Values go through
each field's `get_db_prep_save`, as Django's own writes do, and no signals are sent (the callers
do what the signals would have: the import marks its indicators for recompute).

The raw COPY is not in Django's query log, so it is recorded there by hand, one query each.
"""

import time

from django.db import DEFAULT_DB_ALIAS, connection, connections


def _fields(model, names=None):
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields if names is None else [f for f in fields if f.name in names or f.attname in names]


def _quoted(fields) -> str:
    return ", ".join(connection.ops.quote_name(f.column) for f in fields)


def copy_rows(cursor, sql: str, rows) -> None:
    """Stream rows into `COPY ... FROM STDIN` on a Django cursor; logged as one query."""
    started, count = time.monotonic(), 0
    with cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {count} rows", "time": f"{time.monotonic() - started:.3f}"}
        )


def _prepared(objects, fields):
    # The connection object itself: `django.db.connection` is a proxy that looks the connection up
    # (through asgiref's Local) on every attribute, 250,000 times for a 12,000-value import.
    real = connections[DEFAULT_DB_ALIAS]
    for obj in objects:
        yield [f.get_db_prep_save(getattr(obj, f.attname), real) for f in fields]


def insert_rows(model, objects: list) -> None:
    """Insert new model instances (their primary keys are not set: read them back if needed)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return
    for obj in objects:
        obj._prepare_related_fields_for_save(operation_name="insert_rows")
    fields = _fields(model)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        copy_rows(cursor, f"COPY {table} ({_quoted(fields)}) FROM STDIN", _prepared(objects, fields))


def update_rows(model, objects: list, names: list[str]) -> None:
    """Update these fields of stored model instances, matched by primary key."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, names, batch_size=500)
        return
    fields = _fields(model, names)
    pk = model._meta.pk
    table = connection.ops.quote_name(model._meta.db_table)
    staging = connection.ops.quote_name(f"kpi_update_{model._meta.db_table}")
    columns = _quoted([pk, *fields])
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = s.{connection.ops.quote_name(f.column)}" for f in fields
    )
    pk_column = connection.ops.quote_name(pk.column)
    rows = ([obj.pk, *values] for obj, values in zip(objects, _prepared(objects, fields), strict=True))
    with connection.cursor() as cursor:
        # Names come from the model, quoted by the backend; every value goes through COPY.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"  # noqa: S608
        )
        copy_rows(cursor, f"COPY {staging} ({columns}) FROM STDIN", rows)
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {staging} AS s WHERE {table}.{pk_column} = s.{pk_column}"  # noqa: S608
        )
        cursor.execute(f"DROP TABLE {staging}")
