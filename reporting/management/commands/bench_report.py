"""`manage.py bench_report`: time generating a committee report and rendering its PDF.

Runs against the configured database (point DATABASE_URL at a bench council, e.g. the one
`manage.py bench --database-url ...` builds): generates (or re-generates) the draft of the chosen
report as the command line (the hub), then renders the draft's PDF and .xlsx without publishing.
Prints seconds (wall and this process's CPU), SQL queries and the load average (the machine may be
shared). The draft is left in that database.

`--bench-council` first gives `manage.py bench`'s council what an Executive report reads and the
bench does not build: the quarters of the chosen period's year, and a Council Plan of eight themes
with every indicator serving one of them (idempotent; refused unless the database's name contains
"bench", so it never touches the portal's).
"""

import datetime
import os
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator, Period
from reporting.reports import kinds, services
from reporting.reports.render import render_pdf, render_xlsx

BENCH_THEMES = 8


def _load() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def _times() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(started: tuple[float, float]) -> str:
    wall, cpu = _times()
    return f"{wall - started[0]:.2f} s (CPU {cpu - started[1]:.2f} s)"


def prepare_bench_council(label: str) -> None:
    from indicators.services.periods import ensure_periods
    from organisation.models import CouncilPlan, Theme

    if "bench" not in str(connections["default"].settings_dict["NAME"]):
        raise CommandError('--bench-council changes the database: its name must contain "bench".')
    fy = int(label.split()[-1].split("/")[0])
    ensure_periods([("quarter", datetime.date(fy + (m < 4), m, 1)) for m in (4, 7, 10, 1)])
    if Theme.objects.exists():
        return
    plan = CouncilPlan.objects.create(name="Bench Council Plan", start_year=fy - 1, end_year=fy + 2)
    themes = Theme.objects.bulk_create(
        Theme(council_plan=plan, name=f"Bench theme {n}", slug=f"bench-theme-{n}", order=n)
        for n in range(BENCH_THEMES)
    )
    ids = list(Indicator.objects.order_by("id").values_list("id", flat=True))
    Indicator.themes.through.objects.bulk_create(
        Indicator.themes.through(indicator_id=i, theme_id=themes[n % BENCH_THEMES].id)
        for n, i in enumerate(ids)
    )


class Command(BaseCommand):
    help = "Time generating a committee report and rendering its PDF (in the configured database)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", default=kinds.EXECUTIVE, choices=sorted(kinds.KIND_LABELS))
        parser.add_argument("--period", required=True, help='A period label, e.g. "Q3 2015/16".')
        parser.add_argument(
            "--bench-council", action="store_true", help="Add quarters and themes to `bench`'s council first."
        )

    def handle(self, *args, kind, period, bench_council=False, **options):
        if bench_council:
            prepare_bench_council(period)
        chosen = Period.objects.filter(label=period, kind__in=kinds.PERIOD_KINDS[kind]).first()
        if chosen is None:
            raise CommandError(f"No {kinds.PERIOD_KIND[kind]} called {period!r}.")
        self.stdout.write(f"Load average at the start: {_load()}")
        with CaptureQueriesContext(connections["default"]) as queries:
            started = _times()
            report = services.start_generation(None, kind, chosen.id)
            generated = _since(started)
        rows = sum(len(s["rows"]) for s in report.data.get("sections", []))
        self.stdout.write(
            f"Generated {report.title}: {len(report.data.get('sections', []))} sections, {rows} rows in"
            f" {generated}, {len(queries)} SQL queries ({report.get_generation_display()});"
            f" load {_load()}"
        )
        snapshot, digest = services.preview(report)
        started = _times()
        pdf = render_pdf(snapshot, digest)
        self.stdout.write(f"PDF: {len(pdf) / 1024:.0f} KiB in {_since(started)}; load {_load()}")
        started = _times()
        xlsx = render_xlsx(snapshot, digest)
        self.stdout.write(f".xlsx: {len(xlsx) / 1024:.0f} KiB in {_since(started)}; load {_load()}")
