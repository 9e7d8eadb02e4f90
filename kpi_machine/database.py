"""Connection options the portal sets on its database, shared by the settings and `manage.py bench`."""

# PostgreSQL compiles a query to machine code (JIT) once the planner's cost estimate passes
# `jit_above_cost`. A scorecard's per-indicator subqueries lift the estimate past it although they
# are rarely evaluated, and compiling then takes longer (about 50 ms) than running the query (a
# few ms): JIT pays off for long analytic scans, not for a portal's page queries. An `options`
# given in DATABASE_URL (`?options=...`) is kept as it is.
POSTGRES_OPTIONS = {"options": "-c jit=off"}


def with_portal_options(config: dict) -> dict:
    """`config` (a DATABASES entry) with the portal's connection options for its engine."""
    if config.get("ENGINE", "").endswith("postgresql"):
        config["OPTIONS"] = {**POSTGRES_OPTIONS, **config.get("OPTIONS", {})}
    return config
