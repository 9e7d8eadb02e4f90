"""`manage.py prepare_embedded`: what `make run` does before serving, in one process.

Migrate, then load the demo council only when the database is empty. One process instead of two
keeps a second `make run` quick (Django starts once, not twice).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the database and load the demo council when it is empty (used by make run)."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo", if_empty=True, stdout=self.stdout, stderr=self.stderr)
