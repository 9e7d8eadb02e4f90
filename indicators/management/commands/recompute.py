"""`manage.py recompute`: recompute stored assessments (RAG, direction of travel) from results and targets."""

import time

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Indicator
from indicators.services.assessments import recompute_assessments


class Command(BaseCommand):
    help = "Recompute every indicator's assessments, or one indicator's with --indicator REF."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", metavar="REF", help="Reference of one indicator, e.g. STF15.")

    def handle(self, *args, indicator=None, **options):
        started = time.perf_counter()
        if indicator:
            matches = Indicator.objects.filter(reference=indicator) or Indicator.objects.filter(
                reference__iexact=indicator
            )
            ids = list(matches.values_list("id", flat=True))
            if len(ids) != 1:
                raise CommandError(f"No indicator has the reference {indicator!r}.")
            written, indicator_count = recompute_assessments(indicator_ids=ids), 1
        else:
            written, indicator_count = recompute_assessments(), Indicator.objects.count()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Recomputed {written} assessments for {indicator_count} indicators in {elapsed:.2f} s"
        )
