"""manage.py import_workbook FILE [--dry-run] [--service SLUG]: import results as the hub does."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from indicators.data_entry.services.imports import import_apply, import_preview
from organisation.models import Service


class Command(BaseCommand):
    help = "Import a results workbook (.xlsx/.csv): the bulk template or a Table 3.3 table. Prints the preview first."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; write nothing.")
        parser.add_argument("--service", help="Slug of the service that owns indicators the file creates.")

    def handle(self, *args, file, dry_run, service=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        owner = None
        if service:
            owner = Service.objects.filter(slug=service).first()
            if owner is None:
                raise CommandError(f"No service with slug {service!r}.")
        with path.open("rb") as handle:
            data = handle.read(settings.KPI_IMPORT_MAX_BYTES + 1)
        batch = import_preview(user=None, filename=path.name, data=data, service=owner)
        plan = batch.plan
        if plan.get("refused"):
            batch.delete()
            raise CommandError(f"Refused, nothing written: {plan['refused']}")
        for spec in plan["create_indicators"]:
            self.stdout.write(
                f"create indicator {spec['reference']}: {spec['title']} ({spec['polarity']}, {spec['unit']})"
            )
        for w in plan["writes"]:
            self.stdout.write(f"{w['action']} {w['reference']} {w['label']}: {w['old'] or '—'} -> {w['new']}")
        for r in plan["rejected"]:
            self.stdout.write(f"rejected {r['sheet']}!{r['column']}{r['row']} {r['value']!r}: {r['reason']}")
        for note in plan["notes"]:
            self.stdout.write(f"note: {note}")
        self.stdout.write(
            f"{len(plan['create_indicators'])} indicators to create, {len(plan['writes'])} results to write, "
            f"{plan['unchanged_count']} unchanged, {len(plan['rejected'])} rejected."
        )
        if dry_run:
            batch.delete()
            self.stdout.write("Dry run: nothing written.")
            return
        summary = import_apply(user=None, batch=batch)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {summary['results_written']} results written, {summary['indicators_created']} indicators created."
            )
        )
