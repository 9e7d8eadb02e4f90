"""`manage.py prepare_embedded`: what `make run` does before serving, in one process.

Migrate, load the demo council only when the database is empty, then build the exception list of
every period whose returns have fallen due by the reporting date and that has none yet. In
production the hourly beat task does that last step (it freezes each period's assessments as
reported); the embedded mode runs Celery eagerly with no beat, so without it no past period would
ever show "as reported". It only builds what is missing: a second start finds nothing to do.
One process instead of several keeps a second `make run` quick (Django starts once).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reporting.exceptions import exception_lists_build_due


class Command(BaseCommand):
    help = (
        "Migrate, load the demo council when the database is empty, and build the exception lists "
        "that have fallen due (used by make run)."
    )

    def handle(self, *args, **options):
        # `migrate` with nothing to apply still runs its post-migrate work (permissions and content
        # types for every model): only when a migration is unapplied, so a second start skips it.
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", if_empty=True, stdout=self.stdout, stderr=self.stderr)
        built = exception_lists_build_due()
        if built and options.get("verbosity", 1) >= 1:
            labels = [exception_list.period.label for exception_list in built]
            self.stdout.write(
                f"Built {len(built)} exception lists that had fallen due ({labels[0]} to {labels[-1]}): "
                "those periods now show as reported."
            )
