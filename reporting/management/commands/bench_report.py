"""`manage.py bench_report`: time generating a committee report and rendering its PDF.

Runs against the configured database (point DATABASE_URL at a bench council, e.g. the one
`manage.py bench --database-url ...` builds): generates (or re-generates) the draft of the chosen
report as the command line (the hub), then renders the draft's PDF and .xlsx without publishing.
Prints seconds and SQL queries. The draft is left in that database.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test.utils import CaptureQueriesContext

from indicators.models import Period
from reporting.reports import kinds, services
from reporting.reports.render import render_pdf, render_xlsx


class Command(BaseCommand):
    help = "Time generating a committee report and rendering its PDF (in the configured database)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", default=kinds.EXECUTIVE, choices=sorted(kinds.KIND_LABELS))
        parser.add_argument("--period", required=True, help='A period label, e.g. "Q3 2015/16".')

    def handle(self, *args, kind, period, **options):
        chosen = Period.objects.filter(label=period, kind=kinds.PERIOD_KIND[kind]).first()
        if chosen is None:
            raise CommandError(f"No {kinds.PERIOD_KIND[kind]} called {period!r}.")
        with CaptureQueriesContext(connections["default"]) as queries:
            started = time.perf_counter()
            report = services.start_generation(None, kind, chosen.id)
            generated = time.perf_counter() - started
        rows = sum(len(s["rows"]) for s in report.data.get("sections", []))
        self.stdout.write(
            f"Generated {report.title}: {len(report.data.get('sections', []))} sections, {rows} rows in"
            f" {generated:.2f} s, {len(queries)} SQL queries ({report.get_generation_display()})"
        )
        snapshot, digest = services.preview(report)
        started = time.perf_counter()
        pdf = render_pdf(snapshot, digest)
        self.stdout.write(f"PDF: {len(pdf) / 1024:.0f} KiB in {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        xlsx = render_xlsx(snapshot, digest)
        self.stdout.write(f".xlsx: {len(xlsx) / 1024:.0f} KiB in {time.perf_counter() - started:.2f} s")
