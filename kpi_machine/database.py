"""Connection options the portal sets on its database, shared by the settings and `manage.py bench`."""

# PostgreSQL compiles a query to machine code (JIT) once the planner's cost estimate passes
# `jit_above_cost`. A scorecard's per-indicator subqueries lift the estimate past it although they
# are rarely evaluated, and compiling then takes longer (about 50 ms) than running the query (a
# few ms): JIT pays off for long analytic scans, not for a portal's page queries. An `options`
# given in DATABASE_URL (`?options=...`) is kept as it is.
POSTGRES_OPTIONS = {"options": "-c jit=off"}

# SQLite (the embedded run, `make run`; issue 12): write-ahead logging, synced at checkpoints
# rather than at every commit, and a 64 MiB page cache per connection.
# - WAL: a writer appends its pages to the -wal file once, instead of first copying every page it
#   changes to a rollback journal and syncing it; with the default 2 MiB cache a full recompute
#   (120,000 rows changed) spilled pages mid-transaction, each spill syncing the journal. Readers
#   (the web pages) no longer wait for the recompute's commit either.
# - synchronous=NORMAL: safe for the embedded run. WAL is durable across a crash of the
#   application (a committed transaction is in the -wal file, read back on the next open); only a
#   power failure or OS crash can lose the last few commits before a checkpoint, and never
#   corrupts the database (README, "The embedded database").
# - transaction_mode IMMEDIATE: a transaction takes the write lock at BEGIN, so concurrent writers
#   (web requests, the eager tasks) wait on `timeout` instead of failing with "database is locked"
#   when a read transaction tries to become a write one (which WAL cannot wait for).
# The pragmas are per connection (journal_mode is also stored in the file); an in-memory
# database (the tests) ignores journal_mode and keeps its memory journal.
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
    "transaction_mode": "IMMEDIATE",
}


def with_portal_options(config: dict) -> dict:
    """`config` (a DATABASES entry) with the portal's connection options for its engine."""
    if config.get("ENGINE", "").endswith("postgresql"):
        config["OPTIONS"] = {**POSTGRES_OPTIONS, **config.get("OPTIONS", {})}
    elif config.get("ENGINE", "").endswith("sqlite3"):
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config
