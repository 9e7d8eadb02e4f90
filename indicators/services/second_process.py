"""A share of a CPU-bound job done in a forked second process while this one does its own.

A full recompute is pure Python for most of its time (assessing 120,000 points at 1,000
indicators, then comparing them with the stored rows), and CPython runs Python on one core at a
time. Forked after the inputs are read, a child process starts with those inputs already in its
memory (copy-on-write: nothing is sent to it), does its half on the machine's other core with a
database connection of its own, and sends back only what the parent needs to write: on a quiet
night, next to nothing (issue 12).

Where a second process is not safe (`available`), nothing is forked and the caller does the
whole job itself. If the child fails for any reason, `started`'s collector logs why and returns
None, and the caller does that share itself: the answer never depends on the child. Nothing is
written by the child; every write stays in the parent's one transaction.
"""

import itertools
import logging
import os
import pickle
import threading
import traceback
from collections.abc import Callable

from django.db import connections

log = logging.getLogger(__name__)

# The child's inherited database connections, kept referenced until it exits: their sockets
# (and SQLite handles) are the parent's, and a connection object finalised in the child would
# close the parent's session (PostgreSQL's Terminate message on the shared socket).
_INHERITED: list = []


def _one_thread() -> bool:
    return threading.active_count() == 1


def _in_memory(connection) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def available() -> bool:
    """Whether a forked second process can share the work now.

    - `os.fork` exists (POSIX).
    - This process runs one thread: a fork copies only the thread that forks, and a lock held by
      another thread (a web server's, a worker's) would stay held in the child forever.
    - The default database is not inside a transaction, where the child's own connection would
      not see the rows this one has written and not committed. An in-memory SQLite database
      (the tests') is the exception: no second connection could open it, so the child reads its
      copy of it, which holds exactly what this process sees, uncommitted rows included.
    """
    connection = connections["default"]
    return (
        hasattr(os, "fork") and _one_thread() and (_in_memory(connection) or not connection.in_atomic_block)
    )


def _own_connections() -> None:
    """In the child: set the inherited connections aside, so each alias opens its own (an
    in-memory SQLite database's is kept: its copy is the child's own, and the only way in)."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not _in_memory(connection):
            _INHERITED.append(connection.connection)
            connection.connection = None


def started[T](work: Callable[[], T]) -> Callable[[], T | None]:
    """Fork; the child runs ``work()`` and sends its result back (pickled, through a pipe).

    Returns the parent's collector: it waits for the child and gives its result, or None (after
    logging why) if the child failed. The child's logged queries, when this process logs queries
    (`manage.py bench`, DEBUG), are added to the parent's log, so a count of queries includes them.
    """
    database = connections["default"]
    logged = database.queries_logged
    try:
        read_end, write_end = os.pipe()
    except OSError as error:  # out of descriptors: the caller does the share itself
        log.warning("No second process (%s); its share is done here instead.", error)
        return lambda: None
    try:
        pid = os.fork()
    except OSError as error:  # out of memory or processes: likewise
        os.close(read_end)
        os.close(write_end)
        log.warning("No second process (%s); its share is done here instead.", error)
        return lambda: None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            _own_connections()
            queries_before = len(database.queries_log)
            value = work()
            queries = list(itertools.islice(database.queries_log, queries_before, None)) if logged else []
            outcome = ("done", value, queries)
        except BaseException:  # noqa: BLE001 — reported to the parent, which does the work itself
            outcome, code = ("failed", traceback.format_exc(), []), 1
        try:
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(outcome, out, protocol=pickle.HIGHEST_PROTOCOL)
            for connection in connections.all(initialized_only=True):
                connection.close()  # the child's own connections; the parent's stay untouched
        finally:
            os._exit(code)  # no exit handlers, no finalisers: they belong to the parent

    os.close(write_end)

    def collect() -> T | None:
        try:
            with os.fdopen(read_end, "rb") as source:
                data = source.read()
        finally:
            os.waitpid(pid, 0)
        try:
            status, value, queries = pickle.loads(data)  # noqa: S301 — our own child's output
        except Exception:  # noqa: BLE001 — a child killed mid-way: do the work here
            log.warning("The second process ended without a result (%d bytes read).", len(data))
            return None
        if status != "done":
            log.warning("The second process failed; its share is done here instead:\n%s", value)
            return None
        if logged:
            database.queries_log.extend(queries)
        return value

    return collect
