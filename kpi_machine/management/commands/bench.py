"""`manage.py bench`: build a large synthetic council in its own database and time the recompute.

The council: 1,000 monthly indicators (rates, counts with profiled targets, year-to-date amounts,
snapshots; every polarity) x 10 financial years = about 120,000 approved results, plus targets,
and every month's exception list already built (as a council would have them). Then it prints:

- the full recompute (RAG, direction of travel, variation, forecasts, exception lists): seconds,
  SQL queries;
- one indicator's recompute after a single edit of one result: milliseconds, SQL queries;
- the CMT scorecard (`/scorecards/cmt/`, every indicator on it) rendered through the real view
  by Django's test Client signed in as a CMT user, as the latest month was reported, as it is
  now, and for the last financial year: server time, median of 5, SQL queries;
- peak memory of the full recompute (Python allocations by tracemalloc, in a second run, since
  tracing slows Python down) and the process's peak resident size.

Its own database, never the portal's: an SQLite file in the temporary directory by default, or
`--database-url` (SQLite or PostgreSQL; a PostgreSQL database is dropped and created, so its name
must contain "bench"). With DATABASE_URL on PostgreSQL and no `--database-url`, it uses the
database `kpi_bench` on the same server.
"""

import datetime
import math
import random
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
from django.db import connections
from django.test.utils import CaptureQueriesContext

from kpi_machine.database import with_portal_options

SEED = 2024
FIRST_FY = 2006


class Command(BaseCommand):
    help = "Build a 1,000-indicator council in a separate database and time recomputes."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help="The bench database (default: see the module docstring).")
        parser.add_argument("--indicators", type=int, default=1000)
        parser.add_argument("--years", type=int, default=10, help="Financial years of monthly results.")
        parser.add_argument("--no-memory", action="store_true", help="Skip the tracemalloc run.")

    def handle(self, *args, database_url=None, indicators=1000, years=10, no_memory=False, **options):
        if indicators < 1 or not 1 <= years <= 30:
            raise CommandError("Use at least 1 indicator and 1 to 30 years.")
        self.years = years
        bench_db = self._bench_database(database_url)
        self._switch_default(bench_db)
        engine = connections["default"].vendor
        self.stdout.write(f"Bench database: {engine} {bench_db['NAME']}")
        call_command("migrate", verbosity=0, interactive=False)

        started = time.perf_counter()
        built = build_council(indicators, years)
        self.stdout.write(
            f"Built {built['indicators']} indicators, {built['results']} results, {built['targets']} targets "
            f"in {time.perf_counter() - started:.1f} s"
        )
        from indicators.services.assessments import recompute_assessments
        from reporting.exceptions import exception_lists_build_due

        recompute_assessments()  # first assessments, so the lists have something to freeze
        as_of = datetime.date(FIRST_FY + years, 4, 25)
        lists = exception_lists_build_due(as_of=as_of)
        self._set_reporting_date(as_of)
        self.stdout.write(f"Built {len(lists)} exception lists (as of {as_of:%d %b %Y})")

        with CaptureQueriesContext(connections["default"]) as queries:
            started = time.perf_counter()
            written = recompute_assessments()
            full_seconds = time.perf_counter() - started
        self.stdout.write(
            f"Full recompute: {written} assessments in {full_seconds:.2f} s, {len(queries)} SQL queries"
        )

        from indicators.models import Indicator, Result

        one = Indicator.objects.order_by("id").values_list("id", flat=True)[len(built["ids"]) // 2]
        result = Result.objects.filter(indicator_id=one).order_by("-period__start").first()
        Result.objects.filter(id=result.id).update(value=result.value + 1)  # no signal: timed below
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connections["default"]) as one_queries:
                started = time.perf_counter()
                recompute_assessments(indicator_ids=[one])
                timings.append(time.perf_counter() - started)
        self.stdout.write(
            f"One indicator after one edit: median {sorted(timings)[2] * 1000:.0f} ms "
            f"(min {min(timings) * 1000:.0f}, max {max(timings) * 1000:.0f}) over 5 runs, "
            f"{len(one_queries)} SQL queries"
        )

        self._time_cmt_scorecard()

        if not no_memory:
            tracemalloc.start()
            recompute_assessments()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            self.stdout.write(f"Peak Python allocations during a full recompute: {peak / 2**20:.0f} MiB")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_mib = rss / 2**20 if sys.platform == "darwin" else rss / 1024
        self.stdout.write(f"Peak resident memory of the whole bench process: {rss_mib:.0f} MiB")

    def _time_cmt_scorecard(self) -> None:
        """Time /scorecards/cmt/ through the whole request cycle (middleware, view, template).

        Server time only: the test Client calls the WSGI handler in-process, so there is no network.
        The first request warms the template cache and is not counted, as on a running server.
        """
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client, override_settings

        from organisation.models import Profile, Role

        if connections["default"].vendor == "postgresql":
            # A live database has statistics (autovacuum analyses it); one just bulk-loaded has
            # none yet, and the planner then picks poor plans for the scorecard's queries.
            with connections["default"].cursor() as cursor:
                cursor.execute("ANALYZE")
        user = get_user_model().objects.create_user("bench-cmt")
        Profile.objects.create(user=user, role=Role.CMT)
        client = Client()
        client.force_login(user)
        year_key = f"{FIRST_FY + self.years - 1}-{(FIRST_FY + self.years) % 100:02d}"
        views = [
            ("/scorecards/cmt/", "latest month, as reported"),
            ("/scorecards/cmt/?view=current", "latest month, current"),
            (f"/scorecards/cmt/?period={year_key}", "last financial year"),
        ]
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for url, words in views:
                timings, rows = [], 0
                for attempt in range(6):
                    with CaptureQueriesContext(connections["default"]) as page_queries:
                        started = time.perf_counter()
                        response = client.get(url, secure=True)
                        elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise CommandError(f"{url} answered {response.status_code}.")
                    if attempt:
                        timings.append(elapsed)
                    rows = response.content.count(b'class="govuk-table__row')
                self.stdout.write(
                    f"CMT scorecard ({url}: {words}, {rows} table rows): median "
                    f"{sorted(timings)[2] * 1000:.0f} ms (min {min(timings) * 1000:.0f}, "
                    f"max {max(timings) * 1000:.0f}) over 5 requests, {len(page_queries)} SQL queries"
                )

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
        if config["ENGINE"] == current["ENGINE"] and str(config["NAME"]) == str(current["NAME"]):
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
