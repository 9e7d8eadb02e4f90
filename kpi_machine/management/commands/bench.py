"""`manage.py bench`: build a large synthetic council in its own database and time the recompute.

Then (or alone, with `--imports-only`) the import figures: reading a 19,001 x 200 workbook and
confirming a 12,000-value hub import (`kpi_machine.bench_imports`).

The council: 1,000 monthly indicators (rates, counts with profiled targets, year-to-date amounts,
snapshots; every polarity) x 10 financial years = about 120,000 approved results, plus targets,
and every month's exception list already built (as a council would have them). Then it prints:

- the full recompute (RAG, direction of travel, variation, forecasts, exception lists): seconds,
  SQL queries;
- one indicator's recompute after a single edit of one result: milliseconds (median of 9 after one untimed), SQL queries;
- the CMT scorecard (`/scorecards/cmt/`, every indicator on it) rendered through the real view
  by Django's test Client signed in as a CMT user, as the latest month was reported, as it is
  now, and for the last financial year: server time, median of 9 (each request beside a timing of its floor), SQL queries;
- peak memory of the full recompute (Python allocations by tracemalloc, in a second run, since
  tracing slows Python down) and the process's peak resident size.

Its own database, never the portal's: an SQLite file in the temporary directory by default, or
`--database-url` (SQLite or PostgreSQL; a PostgreSQL database is dropped and created, so its name
must contain "bench"). With DATABASE_URL on PostgreSQL and no `--database-url`, it uses the
database `kpi_bench` on the same server.
"""

import datetime
import gzip
import math
import os
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kpi_machine.database import with_portal_options

SEED = 2024
FIRST_FY = 2006
# Timed requests of each scorecard view (after one untimed): an odd number, so the median is one of them.
SCORECARD_RUNS = 9
EDIT_RUNS = 9  # timed edits of one result, after one untimed


class Command(BaseCommand):
    help = "Build a 1,000-indicator council in a separate database and time recomputes."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help="The bench database (default: see the module docstring).")
        parser.add_argument("--indicators", type=int, default=1000)
        parser.add_argument(
            "--sizes",
            help="Comma-separated council sizes (e.g. 250,1000,2000): the whole bench at each, then a scaling table.",
        )
        parser.add_argument("--years", type=int, default=10, help="Financial years of monthly results.")
        parser.add_argument("--no-memory", action="store_true", help="Skip the tracemalloc run.")
        parser.add_argument(
            "--imports-only",
            action="store_true",
            help="Only the import figures: reading a 19,001 x 200 workbook, confirming 12,000 values.",
        )
        parser.add_argument("--import-rows", type=int, default=19_001, help="Rows of the workbook read.")
        parser.add_argument(
            "--import-indicators", type=int, default=1_000, help="Indicators (x 12 months) confirmed."
        )
        parser.add_argument(
            "--bloat-runs", type=int, default=10, help="Consecutive full recomputes for the bloat check."
        )

    def handle(
        self, *args, database_url=None, indicators=1000, sizes=None, years=10, no_memory=False, **options
    ):
        try:
            counts = [int(n) for n in sizes.split(",")] if sizes else [indicators]
        except ValueError:
            raise CommandError(
                "--sizes takes whole numbers separated by commas, e.g. 250,1000,2000."
            ) from None
        if min(counts) < 1 or not 1 <= years <= 30:
            raise CommandError("Use at least 1 indicator and 1 to 30 years.")
        self.years = years
        self.bloat_runs = max(options.get("bloat_runs", 10), 1)
        self.database_url = database_url
        self.stdout.write(f"Load average at the start: {_load()}")
        self.import_sizes = (
            max(options.get("import_rows") or 19_001, 2),
            max(options.get("import_indicators") or 1_000, 1),
        )
        self.switched = False
        # The portal's own database, before any switch: `--sizes` builds a bench database per size,
        # and each must be checked against the portal's, not against the previous size's.
        portal = connections["default"].settings_dict
        self.portal_database = (portal["ENGINE"], str(portal["NAME"]))
        if options.get("imports_only"):
            self._bench_imports()
            self.stdout.write(f"Load average at the end: {_load()}")
            return
        scaling = []
        for count in counts:
            scaling.append((count, self._bench(count, no_memory=no_memory or len(counts) > 1)))
        if len(counts) > 1:
            self.stdout.write("\nScaling (median seconds or ms; floor; ratio):")
            self.stdout.write(
                "| indicators | full recompute (all changed) | unchanged recompute | one edit | CMT scorecard | load |"
            )
            self.stdout.write("| ---: | ---: | ---: | ---: | ---: | --- |")
            for count, f in scaling:
                self.stdout.write(
                    f"| {count:,} | {f['full']:.2f} s ({f['full_floor']:.2f}; {f['full'] / f['full_floor']:.1f} ×) "
                    f"| {f['unchanged']:.2f} s | {f['edit'] * 1000:.1f} ms ({f['edit_floor'] * 1000:.1f}; "
                    f"{f['edit'] / f['edit_floor']:.1f} ×) | {f['card'] * 1000:.0f} ms ({f['card_floor'] * 1000:.0f}; "
                    f"{f['card_ratio']:.2f} ×) | {f['load']} |"
                )
        self._bench_imports()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_mib = rss / 2**20 if sys.platform == "darwin" else rss / 1024
        self.stdout.write(f"Peak resident memory of the whole bench process: {rss_mib:.0f} MiB")
        self.stdout.write(f"Load average at the end: {_load()}")

    def _bench_imports(self) -> dict:
        """Reading a large workbook, then a 12,000-value confirm in a fresh bench database."""
        from kpi_machine.bench_imports import bench_confirm, bench_parse

        rows, indicators = self.import_sizes
        figures = bench_parse(self.stdout.write, rows=rows)
        if not self.switched:  # after the recompute bench, its database (migrated) is used again
            self._switch_default(self._bench_database(self.database_url))
            call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(
            f"\nBench database: {connections['default'].vendor} {connections['default'].settings_dict['NAME']}"
        )
        return {**figures, **bench_confirm(self.stdout.write, indicators=indicators)}

    def _figure(
        self,
        words: str,
        seconds: float,
        floor: float,
        unit: str = "s",
        extra: str = "",
        narrow: float | None = None,
        ratio: float | None = None,
    ) -> None:
        """One measure with the floor for the same work, measured in the same run, and the ratio
        (``ratio``: when given, instead of measure / floor); `narrow`: the recompute's narrower
        floor before 3 December (`floor_recompute_narrow`)."""
        scale, fmt = (1000, ".1f") if unit == "ms" else (1, ".2f")
        before = (
            ""
            if narrow is None
            else f" | narrow floor {narrow * scale:{fmt}} {unit}, ratio {seconds / narrow:.2f} ×"
        )
        self.stdout.write(
            f"{words}: {seconds * scale:{fmt}} {unit} | floor {floor * scale:{fmt}} {unit} | "
            f"ratio {seconds / floor if ratio is None else ratio:.2f} ×{extra}{before} | load {_load()}"
        )

    def _bench(self, count: int, *, no_memory: bool) -> dict:
        years = self.years
        bench_db = self._bench_database(self.database_url)
        self._switch_default(bench_db)
        self.switched = True
        engine = connections["default"].vendor
        self.stdout.write(
            f"\nBench database: {engine} {bench_db['NAME']}, {count:,} indicators x {years} years"
        )
        call_command("migrate", verbosity=0, interactive=False)

        started = time.perf_counter()
        built = build_council(count, years)
        self.stdout.write(
            f"Built {built['indicators']} indicators, {built['results']} results, {built['targets']} targets "
            f"in {time.perf_counter() - started:.1f} s"
        )
        from indicators.models import Indicator, Result
        from indicators.services.assessments import recompute
        from reporting.exceptions import exception_lists_build_due

        first = recompute()  # first assessments, so the lists have something to freeze
        as_of = datetime.date(FIRST_FY + years, 4, 25)
        lists = exception_lists_build_due(as_of=as_of)
        self._set_reporting_date(as_of)
        self.stdout.write(
            f"First recompute: {first.inserted} assessments inserted; built {len(lists)} exception lists "
            f"(as of {as_of:%d %b %Y})"
        )
        _analyse()
        figures = {"load": _load()}

        # Every assessment changed: each result moved, so every row is rewritten (the old recompute
        # rewrote every row every time; this is now the worst case, not the nightly one).
        Result.objects.update(value=F("value") + Decimal("0.5"))
        with CaptureQueriesContext(connections["default"]) as queries:
            started = time.perf_counter()
            changed = recompute()
            figures["full"] = time.perf_counter() - started
        figures["full_floor"] = min(floor_recompute() for _ in range(3))
        figures["full_floor_narrow"] = min(floor_recompute_narrow() for _ in range(3))
        self._figure(
            f"Full recompute, every assessment changed ({changed.assessed} assessed, {changed.updated} updated, "
            f"{changed.inserted} inserted, {changed.deleted} deleted, {len(queries)} SQL queries)",
            figures["full"],
            figures["full_floor"],
            narrow=figures["full_floor_narrow"],
        )
        self.stdout.write(f"Full recompute: {changed.assessed} assessments")
        _analyse()  # by the next night autovacuum has cleared the rewrite's dead rows

        # The nightly run on a quiet day: nothing changed, so nothing may be written.
        timings = []
        for _ in range(3):
            with CaptureQueriesContext(connections["default"]) as queries:
                started = time.perf_counter()
                quiet = recompute()
                timings.append(time.perf_counter() - started)
        figures["unchanged"] = sorted(timings)[1]
        self._figure(
            f"Full recompute, nothing changed ({quiet.assessed} assessed, {quiet.written} rows written, "
            f"{len(queries)} SQL queries; median of 3)",
            figures["unchanged"],
            figures["full_floor"],
            narrow=figures["full_floor_narrow"],
        )

        one = Indicator.objects.order_by("id").values_list("id", flat=True)[len(built["ids"]) // 2]
        # The first edit is not counted: it compiles the statements a running portal has kept
        # since its first edit (`plain_sql.PreparedValues`). Then 9 timed, for a median that one
        # slow minute of this shared machine does not move.
        timings = []
        for attempt in range(1 + EDIT_RUNS):
            result = Result.objects.filter(indicator_id=one).order_by("-period__start").first()
            # A different value each time, so every run has an edit to write (no signal: timed here).
            Result.objects.filter(id=result.id).update(value=result.value + 1 + attempt)
            with CaptureQueriesContext(connections["default"]) as one_queries:
                started = time.perf_counter()
                edited = recompute(indicator_ids=[one])
                elapsed = time.perf_counter() - started
            if attempt:
                timings.append(elapsed)
        figures["edit"] = _median(timings)
        figures["edit_floor"] = _median([floor_recompute([one]) for _ in range(EDIT_RUNS)])
        figures["edit_floor_narrow"] = _median([floor_recompute_narrow([one]) for _ in range(EDIT_RUNS)])
        self._figure(
            f"One indicator after one edit ({edited.written} rows written, {len(one_queries)} SQL queries; "
            f"median of {EDIT_RUNS} after one untimed, min {min(timings) * 1000:.1f}, "
            f"max {max(timings) * 1000:.1f} ms)",
            figures["edit"],
            figures["edit_floor"],
            unit="ms",
            narrow=figures["edit_floor_narrow"],
        )
        self.stdout.write(f"One indicator after one edit: median {figures['edit'] * 1000:.0f} ms")

        self._bloat_check(recompute)
        _analyse()
        figures["card"], figures["card_floor"], figures["card_ratio"] = self._time_cmt_scorecard()

        if not no_memory:
            tracemalloc.start()
            Result.objects.update(value=F("value") + Decimal("0.5"))
            recompute()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(
                f"Peak Python allocations during a full recompute (all changed): {peak / 2**20:.0f} MiB"
            )
        connections["default"].close()
        return figures

    def _bloat_check(self, recompute) -> None:
        """Consecutive full recomputes must not grow the assessment table (PostgreSQL: pg_total_relation_size)."""
        if connections["default"].vendor != "postgresql":
            self.stdout.write("Bloat check: PostgreSQL only (SQLite reuses its free pages).")
            return
        from indicators.models import Assessment

        table = Assessment._meta.db_table

        def size() -> int:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                return cursor.fetchone()[0]

        after_first = size()
        written = 0
        for _ in range(self.bloat_runs):
            written += recompute().written
        after = size()
        self.stdout.write(
            f"Bloat check: {table} with its indexes {after_first / 2**20:.1f} MiB after the first full "
            f"recompute, {after / 2**20:.1f} MiB after {self.bloat_runs} more ({written} rows written): "
            f"{after / after_first:.2f} × (goal ≤ 1.2 ×)"
        )

    def _time_cmt_scorecard(self) -> tuple[float, float, float]:
        """Time /scorecards/cmt/ through the whole request cycle (middleware, view, template).

        Server time only: the test Client calls the WSGI handler in-process, so there is no network.
        The first request warms the template cache and is not counted, as on a running server.
        Each request is paired with a floor measurement taken just before it, so the page and its
        floor see the same machine: on a shared 2-core machine whose speed drifts by a third from
        one minute to the next, a floor timed once before all three views made their ratios differ
        by more than the work did. Returns the default view's median, its floor's, and their ratio.
        """
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client, override_settings

        from organisation.models import Profile, Role

        user = get_user_model().objects.create_user(f"bench-cmt-{time.monotonic_ns()}")
        Profile.objects.create(user=user, role=Role.CMT)
        client = Client()
        client.force_login(user)
        # The one period key ("fy2015-16"): an earlier form ("2015-16") answers a redirect, and
        # "2007-08" would be read as August 2007.
        year_key = f"fy{FIRST_FY + self.years - 1}-{(FIRST_FY + self.years) % 100:02d}"
        views = [
            ("/scorecards/cmt/", "latest month, as reported"),
            ("/scorecards/cmt/?view=current", "latest month, current"),
            (f"/scorecards/cmt/?period={year_key}", "last financial year"),
        ]
        floor_scorecard()  # the floor's template compiled and its rows' pages cached, once
        default = None
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for url, words in views:
                timings, floors, rows = [], [], 0
                for attempt in range(1 + SCORECARD_RUNS):
                    floor, floor_html = floor_scorecard()
                    with CaptureQueriesContext(connections["default"]) as page_queries:
                        started = time.perf_counter()
                        response = client.get(url, secure=True, headers={"accept-encoding": "gzip"})
                        elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code}.")
                    if attempt:
                        timings.append(elapsed)
                        floors.append(floor)
                    compressed = response.content
                    html = (
                        gzip.decompress(compressed)
                        if response.get("Content-Encoding") == "gzip"
                        else compressed
                    )
                    rows = html.count(b'class="govuk-table__row')
                median, floor = _median(timings), _median(floors)
                # The ratio of each request to the floor timed beside it, their median: the
                # machine's drift cancels within a pair, not between medians taken apart.
                ratio = _median([t / f for t, f in zip(timings, floors, strict=True)])
                if default is None:
                    default = (median, floor, ratio)
                self._figure(
                    f"CMT scorecard ({url}: {words}, {rows} table rows, {len(page_queries)} SQL queries; "
                    f"median of {SCORECARD_RUNS}, min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f} ms; "
                    f"floor timed beside each request, ratio the median of the {SCORECARD_RUNS} pairs)",
                    median,
                    floor,
                    unit="ms",
                    ratio=ratio,
                    extra=(
                        f" | HTML {len(html) / 1024:.0f} KB (floor {floor_html / 1024:.0f} KB, "
                        f"{len(html) / floor_html:.1f} ×), sent {len(compressed) / 1024:.0f} KB "
                        f"{'gzip' if len(compressed) < len(html) else 'uncompressed'}, sparklines "
                        f"{_sparkline_bytes(html) / 1024:.0f} KB"
                    ),
                )
        return default

    def _bench_database(self, database_url: str | None) -> dict:
        current = connections["default"].settings_dict
        if database_url:
            config = dj_database_url.parse(database_url)
        elif current["ENGINE"].endswith("postgresql"):
            config = {
                **dj_database_url.parse("postgres://localhost/kpi_bench"),
                **_server(current),
                "NAME": "kpi_bench",
            }
        else:
            config = dj_database_url.parse(f"sqlite:///{Path(tempfile.gettempdir()) / 'kpi_bench.sqlite3'}")
        if (config["ENGINE"], str(config["NAME"])) == self.portal_database:
            raise CommandError("The bench database must not be the portal's own database.")
        if config["ENGINE"].endswith("sqlite3"):
            Path(config["NAME"]).unlink(missing_ok=True)
            config.setdefault("OPTIONS", {})["timeout"] = 20
        elif config["ENGINE"].endswith("postgresql"):
            if "bench" not in config["NAME"]:
                raise CommandError(
                    'The bench PostgreSQL database is dropped and recreated: its name must contain "bench".'
                )
            _recreate_postgres(config)
        else:
            raise CommandError("The bench runs on SQLite or PostgreSQL.")
        return config

    def _switch_default(self, config: dict) -> None:
        # The services use the default connection; point it at the bench database for this process.
        connections["default"].close()
        base = {**connections.settings["default"]}
        base.update(config)
        base["OPTIONS"] = config.get("OPTIONS", {})  # never carry SQLite options over to PostgreSQL
        with_portal_options(base)  # as the portal connects (PostgreSQL: no JIT)
        base["CONN_MAX_AGE"] = 0
        base["TEST"] = {"NAME": None}
        connections.settings["default"] = base
        del connections["default"]

    def _set_reporting_date(self, as_of):
        from organisation.models import ReportingCalendar

        ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": as_of})


def _server(settings_dict: dict) -> dict:
    return {k: settings_dict[k] for k in ("ENGINE", "USER", "PASSWORD", "HOST", "PORT") if k in settings_dict}


def _recreate_postgres(config: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    params.update({"host": config.get("HOST") or None, "port": config.get("PORT") or None})
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        name = sql.Identifier(config["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


# --------------------------------------------------------------------------------------------
# The synthetic council

KINDS = [
    # (unit, measure_type, polarity, decimal places, level)
    ("percentage", "period", "up_is_good", 1, 85.0),
    ("percentage", "period", "up_is_bad", 1, 12.0),
    ("count", "period", "up_is_good", 0, 400.0),
    ("count", "period", "up_is_bad", 0, 120.0),
    ("days", "ytd", "up_is_bad", 2, 0.8),
    ("currency_thousands", "ytd", "up_is_bad", 0, 250.0),
    ("count", "snapshot", "neutral", 0, 3000.0),
    ("days", "period", "up_is_bad", 1, 9.0),
]


def _months(first_fy: int, years: int) -> list[datetime.date]:
    return [datetime.date(first_fy + (3 + i) // 12, (3 + i) % 12 + 1, 1) for i in range(12 * years)]


def build_council(count: int, years: int) -> dict:
    """Write the synthetic council with bulk inserts; return counts and the indicator ids."""
    from indicators.models import Indicator, Result, Target
    from indicators.services.periods import ensure_periods
    from organisation.models import Directorate, Service

    rng = random.Random(SEED)
    directorates = Directorate.objects.bulk_create(
        Directorate(name=f"Directorate {d}", slug=f"dir-{d}", code=f"D{d}") for d in range(5)
    )
    services = Service.objects.bulk_create(
        Service(directorate=directorates[s % 5], name=f"Service {s}", slug=f"svc-{s}") for s in range(25)
    )
    specs = [KINDS[i % len(KINDS)] for i in range(count)]
    indicators = Indicator.objects.bulk_create(
        Indicator(
            reference=f"B{i:05d}",
            title=f"Bench indicator {i}",
            category=["performance", "customer", "workforce", "finance"][i % 4],
            unit=unit,
            decimal_places=places,
            polarity=polarity,
            frequency="monthly",
            measure_type=measure,
            seasonal=measure == "ytd",
            on_scorecard=True,  # every indicator on its directorate's (and so CMT's) scorecard
            service=services[i % len(services)],
        )
        for i, (unit, measure, polarity, places, _) in enumerate(specs)
    )
    months = _months(FIRST_FY, years)
    periods = ensure_periods(
        [("month", m) for m in months] + [("year", datetime.date(FIRST_FY + y, 4, 1)) for y in range(years)]
    )

    def results():
        for indicator, (unit, measure, _polarity, places, level) in zip(indicators, specs, strict=True):
            trend = rng.uniform(-0.02, 0.02)
            season = rng.uniform(0, 0.15)
            total = 0.0
            for n, start in enumerate(months):
                factor = (1 + trend) ** (n / 12) * (
                    1 + season * math.sin(2 * math.pi * (start.month - 4) / 12)
                )
                value = level * factor * rng.gauss(1, 0.05)
                if unit == "percentage":
                    value = min(max(value, 0), 100)
                if measure == "ytd":
                    total = (0 if start.month == 4 else total) + max(value, 0)
                    value = total
                yield Result(
                    indicator=indicator,
                    period=periods[("month", start)],
                    value=Decimal(str(round(value, places))),
                    status="approved",
                )

    Result.objects.bulk_create(results(), batch_size=5000)

    def targets():
        for indicator, (unit, measure, polarity, _places, level) in zip(indicators, specs, strict=True):
            if polarity == "neutral":
                continue
            for y in range(years):
                annual = level * (12 if unit in ("count", "currency_thousands") or measure == "ytd" else 1)
                stretch = 1.02 if polarity == "up_is_good" else 0.98
                yield Target(
                    indicator=indicator,
                    period=periods[("year", datetime.date(FIRST_FY + y, 4, 1))],
                    value=Decimal(str(round(annual * stretch, 2))),
                )
                if unit == "count" and measure == "period":  # counts need profiled monthly targets
                    for m in range(12):
                        start = months[12 * y + m]
                        yield Target(
                            indicator=indicator,
                            period=periods[("month", start)],
                            value=Decimal(str(round(level * stretch, 2))),
                        )

    Target.objects.bulk_create(targets(), batch_size=5000)
    return {
        "indicators": len(indicators),
        "results": Result.objects.count(),
        "targets": Target.objects.count(),
        "ids": [i.id for i in indicators],
    }


# --------------------------------------------------------------------------------------------
# The floors: the same work done as directly as the machine allows, measured in the same run


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def _analyse() -> None:
    """VACUUM ANALYZE (PostgreSQL): the state autovacuum keeps a live database in.

    A database just bulk-loaded has no statistics, and one just rewritten is full of dead rows
    until autovacuum has passed: the bench's own `Result.objects.update` leaves 120,000 of them
    in the results table, which the next recompute reads past. Autovacuum is on by default (the
    image docker-compose.yml runs keeps it) but may be off on a bench machine (it is off on the
    one docs/benchmarks.md was measured on), so the bench does what it would have done by the
    next night: after the build, after the full recompute (before the nightly recompute of
    unchanged data and the edit), and before the scorecard. The full recompute itself is timed
    right after the results changed, with their dead rows in place, as it runs after an import.
    """
    if connections["default"].vendor == "postgresql":
        with connections["default"].cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def _sparkline_bytes(html: bytes) -> int:
    return sum(len(m) for m in re.findall(rb"<svg class=\"kpi-sparkline.*?</svg>", html, flags=re.S))


def _timed_floor(select: str, params: list, assess, table: str, columns: list[str]) -> float:
    """Seconds to run `select`, turn its rows into output rows by `assess` (numpy) and write them
    by one COPY (SQLite: one executemany) into the temporary table `table` creates (dropped after,
    untimed), all in one transaction."""
    connection = connections["default"]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(select, params)
        rows = cursor.fetchall()
        if not rows:
            return time.perf_counter() - started
        out = assess(rows)
        cursor.execute(table)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY bench_floor ({names}) FROM STDIN") as copy:
                for row in out:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO bench_floor ({names}) VALUES ({marks})", list(out))  # noqa: S608
        elapsed = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_floor")
    return elapsed


def _floor_inputs(indicator_ids: list[int] | None, *, with_targets: bool) -> tuple[str, list]:
    """The floor's one SELECT: every approved result (with its target), in date order per indicator."""
    from indicators.models import Period, Result, Target

    quote = connections["default"].ops.quote_name
    result, period, target = (quote(m._meta.db_table) for m in (Result, Period, Target))
    where, params = "r.status = %s", ["approved"]
    if indicator_ids is not None:
        where += f" AND r.indicator_id IN ({', '.join(['%s'] * len(indicator_ids))})"
        params += list(indicator_ids)
    joined = (
        f" LEFT JOIN {target} t ON t.indicator_id = r.indicator_id AND t.period_id = r.period_id"
        if with_targets
        else ""
    )
    select = (
        f"SELECT r.indicator_id, r.period_id, r.value{', t.value' if with_targets else ''} "  # noqa: S608 — quoted names
        f"FROM {result} r JOIN {period} p ON p.id = r.period_id{joined} "
        f"WHERE {where} ORDER BY r.indicator_id, p.start"
    )
    return select, params


def floor_recompute(indicator_ids: list[int] | None = None) -> float:
    """Seconds for the floor of a recompute: the same work done as directly as the machine allows.

    One SELECT of the recompute's inputs (each approved result with its target), numpy over the
    whole table (each series' change from its previous value, RAG against the target, a centre
    line and limits per series, a next-point forecast), and one COPY (SQLite: one executemany) of
    one row per result with the assessment's 24 columns into an unindexed temporary table of the
    same columns. What the recompute does beyond this (the rules of DOMAIN.md, comparing with
    what is stored, the summaries and exception lists) is its cost over the floor.
    """
    from indicators.models import Assessment

    connection = connections["default"]
    quote = connection.ops.quote_name
    columns = [f.column for f in Assessment._meta.concrete_fields if not f.primary_key]
    names = ", ".join(quote(c) for c in columns)
    table = (
        f"CREATE TEMPORARY TABLE bench_floor AS SELECT {names} "  # noqa: S608 — quoted names
        f"FROM {quote(Assessment._meta.db_table)} WHERE 1 = 0"
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    return _timed_floor(
        *_floor_inputs(indicator_ids, with_targets=True),
        lambda rows: _floor_assessments(rows, now),
        table,
        columns,
    )


def _floor_assessments(rows: list[tuple], now) -> zip:
    """The floor's numpy: (indicator, period, value, target) rows to rows of the assessment's columns."""
    import numpy as np

    count = len(rows)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=count)
    periods = np.fromiter((r[1] for r in rows), dtype=np.int64, count=count)
    values = np.fromiter((float(r[2]) for r in rows), dtype=float, count=count)
    targets = np.fromiter((math.nan if r[3] is None else float(r[3]) for r in rows), dtype=float, count=count)
    first = np.r_[True, ids[1:] != ids[:-1]]
    previous = np.where(first, np.nan, np.roll(values, 1))
    change = values - previous
    starts = np.flatnonzero(first)
    lengths = np.diff(np.r_[starts, count])
    centre = np.repeat(np.add.reduceat(values, starts) / lengths, lengths)
    spread = np.repeat(np.sqrt(np.add.reduceat((values - centre) ** 2, starts) / lengths), lengths)
    rag = np.where(np.isnan(targets), "", np.where(values >= targets, "green", "red")).tolist()
    direction = np.where(
        np.isnan(change), "", np.where(change > 0, "up", np.where(change < 0, "down", "same"))
    )
    forecast = values + np.nan_to_num(change)
    comparators = np.where(first, 0, np.roll(periods, 1)).tolist()

    def plain(array) -> list:
        # At the columns' four places, as the recompute writes them (shorter text to send and parse).
        return [None if x != x else x for x in np.round(array, 4).tolist()]  # NaN is no value

    return zip(
        ids.tolist(),
        periods.tolist(),
        plain(values),
        plain(targets),
        rag,
        direction.tolist(),
        [None if c == 0 else c for c in comparators],
        plain(previous),
        np.r_[ids[1:] != ids[:-1], True].tolist(),  # the latest of each series
        ["common_cause"] * count,
        [""] * count,
        [""] * count,
        plain(centre),
        plain(centre + 3 * spread),
        plain(centre - 3 * spread),
        [False] * count,
        [None] * count,
        plain(forecast),
        plain(forecast - spread),
        plain(forecast + spread),
        ["linear"] * count,
        ["{}"] * count,
        rag,
        [now] * count,
        strict=True,
    )


def floor_recompute_narrow(indicator_ids: list[int] | None = None) -> float:
    """The floor the bench printed until 3 December 2026, kept beside the other for comparison: one
    SELECT of the approved results alone, a change and a RAG in numpy, and one COPY of five columns
    (SQLite: one executemany). It writes a fifth of the recompute's columns and reads no target,
    so it is not the same work; the issue's own floor (0.87 s on PostgreSQL, 0.60 s on SQLite) was
    about three times it on the same machine."""

    def assess(rows):
        import numpy as np

        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        periods = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        values = np.fromiter((float(r[2]) for r in rows), dtype=float, count=len(rows))
        first = np.r_[True, ids[1:] != ids[:-1]]
        change = np.where(first, np.nan, values - np.roll(values, 1))
        rag = np.where(values >= np.nanmean(values), "green", "red")
        return zip(
            ids.tolist(), periods.tolist(), values.tolist(), change.tolist(), rag.tolist(), strict=True
        )

    table = (
        "CREATE TEMPORARY TABLE bench_floor (indicator_id bigint, period_id bigint, value double precision, "
        "change double precision, rag varchar(10))"
    )
    columns = ["indicator_id", "period_id", "value", "change", "rag"]
    return _timed_floor(*_floor_inputs(indicator_ids, with_targets=False), assess, table, columns)


FLOOR_TEMPLATE = """<table><thead><tr><th>Reference</th><th>Title</th><th>Value</th><th>Target</th><th>RAG</th>
<th>Direction</th><th>Forecast</th></tr></thead><tbody>{% for r in rows %}<tr><td>{{ r.0 }}</td><td>{{ r.1 }}</td>
<td>{{ r.2 }}</td><td>{{ r.3 }}</td><td>{{ r.4 }}</td><td>{{ r.5 }}</td><td>{{ r.6 }}</td></tr>{% endfor %}</tbody></table>"""


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def floor_scorecard() -> tuple[float, int]:
    """(seconds, HTML bytes) for the floor of the scorecard: one query (every indicator with its
    latest assessment) and one template render of a plain table of them."""
    from django.template import engines

    from indicators.models import Indicator

    template = engines["django"].from_string(FLOOR_TEMPLATE)
    started = time.perf_counter()
    rows = list(
        Indicator.objects.filter(assessments__is_latest=True)
        .order_by("reference")
        .values_list(
            "reference",
            "title",
            "assessments__value",
            "assessments__target",
            "assessments__rag",
            "assessments__direction",
            "assessments__forecast_value",
        )
    )
    html = template.render({"rows": rows})
    return time.perf_counter() - started, len(html.encode())
