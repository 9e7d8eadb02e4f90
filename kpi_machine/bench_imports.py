"""The import figures of `manage.py bench` (issue 11 item 1): reading a large workbook, and
confirming a hub import of 12,000 values.

- Reading: a generated bulk-template .xlsx of 19,001 rows x 200 columns (a header, 19,000
  indicators, 199 month columns: 3.8 million numbers), read by the portal's reader (calamine) and
  turned into indicator rows by the parser. Goal: under 5 s.
- Confirming: 1,000 monthly indicators x 12 months, previewed by the hub, then confirmed — the
  write job's one transaction (validation, history rows, recompute marks), timed without the
  recompute it queues, which is timed on its own as the worker's task. Goal: under 5 s.

Runs on the bench database the caller switched to (PostgreSQL for the figures in docs/benchmarks.md).
"""

import datetime
import os
import time

from django.db import connections, reset_queries
from django.test.utils import CaptureQueriesContext

PARSE_ROWS, PARSE_COLUMNS = 19_001, 200
CONFIRM_INDICATORS, CONFIRM_MONTHS = 1_000, 12
FIRST_MONTH = datetime.date(2015, 4, 1)


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def _timed(function):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def bench_parse(write, runs: int = 2, rows: int = PARSE_ROWS) -> dict:
    from django.conf import settings

    from indicators.workbooks.parser import parse_sheets
    from indicators.workbooks.reader import read_upload
    from indicators.workbooks.synthetic import bulk_workbook

    data = bulk_workbook(rows, PARSE_COLUMNS)
    inside = len(data) <= settings.KPI_IMPORT_MAX_BYTES
    write(
        f"\nImport reading: a {rows:,} x {PARSE_COLUMNS} .xlsx of {len(data) / 2**20:.1f} MiB "
        f"({'inside' if inside else 'over'} the {settings.KPI_IMPORT_MAX_BYTES / 2**20:.0f} MiB upload limit)"
    )
    figures = []
    for run in range(1, runs + 1):
        sheets, read_wall, read_cpu = _timed(
            lambda: read_upload(
                "bench.xlsx",
                data,
                max_bytes=max(len(data), settings.KPI_IMPORT_MAX_BYTES),
                max_rows=rows,
            )
        )
        parsed, parse_wall, parse_cpu = _timed(lambda sheets=sheets: parse_sheets(sheets))
        values = sum(len(row.values) for row in parsed.rows)
        figures.append((read_wall + parse_wall, read_cpu + parse_cpu))
        write(
            f"  run {run}: read {read_wall:.2f} s (CPU {read_cpu:.2f}), parse {parse_wall:.2f} s "
            f"(CPU {parse_cpu:.2f}); total {read_wall + parse_wall:.2f} s (CPU {read_cpu + parse_cpu:.2f}); "
            f"{len(parsed.rows):,} indicator rows, {values:,} values, {len(parsed.rejected)} rejected | load {_load()}"
        )

    best = min(figures)
    write(f"Import reading, best of {runs}: {best[0]:.2f} s (CPU {best[1]:.2f} s); goal < 5 s")
    return {"parse": best[0], "parse_cpu": best[1]}


def _confirm_library(indicators: int):
    """1,000 monthly count indicators with no targets (so no value is refused as red without
    commentary), a hub user, and the reporting date after the 12 months."""
    from django.contrib.auth import get_user_model

    from indicators.models import Indicator
    from organisation.models import Directorate, Profile, ReportingCalendar, Role, Service

    directorate = Directorate.objects.create(name="Import bench", slug="import-bench", code="IMPB")
    service = Service.objects.create(directorate=directorate, name="Import bench", slug="import-bench")
    Indicator.objects.bulk_create(
        Indicator(
            reference=f"IMP{i:04d}",
            title=f"Imported indicator {i}",
            category="performance",
            unit="count",
            decimal_places=0,
            polarity="up_is_good",
            frequency="monthly",
            measure_type="period",
            service=service,
        )
        for i in range(indicators)
    )
    hub = get_user_model().objects.create_user(f"bench-hub-{time.monotonic_ns()}")
    Profile.objects.create(user=hub, role=Role.HUB)
    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 4, 25)})
    return hub


def _csv(offset: int, indicators: int) -> bytes:
    from indicators.workbooks.synthetic import month_labels

    lines = ["Reference ID," + ",".join(month_labels(CONFIRM_MONTHS, FIRST_MONTH))]
    lines += [
        f"IMP{i:04d}," + ",".join(str((i * 7 + m * 13) % 500 + offset) for m in range(CONFIRM_MONTHS))
        for i in range(indicators)
    ]
    return ("\n".join(lines) + "\n").encode()


def bench_confirm(write, indicators: int = CONFIRM_INDICATORS) -> dict:
    from indicators.data_entry.services.imports import import_apply, import_preview
    from indicators.models import Result, ResultChange
    from indicators.services import recompute_marks

    hub = _confirm_library(indicators)
    engine = connections["default"].vendor
    write(f"\nImport confirm on {engine}: {indicators:,} indicators x {CONFIRM_MONTHS} months by the hub")
    figures = {}
    queued = []
    real_send = recompute_marks.send_safely
    # The recompute the import queues is the worker's job: recorded here, then timed on its own.
    recompute_marks.send_safely = lambda task, *args: queued.append((task, args)) or True
    try:
        for words, offset in (("new results", 1), ("every result changed", 2)):
            batch, preview_wall, preview_cpu = _timed(
                lambda offset=offset: import_preview(
                    user=hub, filename="bench.csv", data=_csv(offset, indicators)
                )
            )
            writes = len(batch.plan["writes"])
            if writes != indicators * CONFIRM_MONTHS or batch.plan["rejected"]:
                raise RuntimeError(f"the bench import planned {writes} writes: {batch.plan['rejected'][:3]}")
            reset_queries()  # with DEBUG on, the preview's queries would fill the log the count reads
            with CaptureQueriesContext(connections["default"]) as queries:
                summary, wall, cpu = _timed(lambda batch=batch: import_apply(user=hub, batch=batch))
            key = "confirm" if offset == 1 else "confirm_changed"
            figures[key] = wall
            write(
                f"  {words}: preview (the read job) {preview_wall:.2f} s (CPU {preview_cpu:.2f}); "
                f"confirm {wall:.2f} s (CPU {cpu:.2f}), {summary['results_written']:,} results and their "
                f"history written in {len(queries)} SQL queries; {len(queued)} recompute task queued | load {_load()}"
            )
            for task, args in queued:
                _, recompute_wall, _ = _timed(lambda task=task, args=args: task.apply(args=args))
                write(
                    f"  the queued recompute ({task.name}, {len(args[0]):,} indicators, in the worker): "
                    f"{recompute_wall:.2f} s"
                )
            queued.clear()
    finally:
        recompute_marks.send_safely = real_send
    imported = Result.objects.filter(indicator__reference__startswith="IMP")
    if imported.count() != indicators * CONFIRM_MONTHS:
        raise RuntimeError("the bench import did not write every value")
    write(
        f"Import confirm of {indicators * CONFIRM_MONTHS:,} values: {figures['confirm']:.2f} s new, "
        f"{figures['confirm_changed']:.2f} s all changed ({ResultChange.objects.filter(result__in=imported).count():,} history rows); goal < 5 s"
    )
    return figures
