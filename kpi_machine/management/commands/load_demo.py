"""`manage.py load_demo`: fill an empty database with the demo council (see fixtures.demo)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError, RestrictedError

from fixtures.demo import PASSWORD, DemoAlreadyLoaded, delete_demo, demo_present, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo council: York's Table 3.3 indicators and a synthetic council round them, "
        f"with one user per role (password {PASSWORD!r}). Development only: refuses when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already has indicators.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo's records (indicators, organisation, demo users) first, then load.",
        )

    def handle(self, *args, if_empty=False, reset=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: it creates users with a known password "
                f"({PASSWORD!r}), which must never reach a production database."
            )
        if if_empty and demo_present():
            self.stdout.write(
                "The database already has indicators or demo records; load_demo left it as it is."
            )
            return
        started = time.perf_counter()
        if reset:
            try:
                delete_demo()
            except (ProtectedError, RestrictedError) as error:
                raise CommandError(
                    f"Could not delete the demo data: other records still use it ({error})."
                ) from None
        try:
            counts = load_demo()
        except DemoAlreadyLoaded:
            raise CommandError(
                "The database already has indicators or demo records: load_demo only fills an empty database. "
                "Use --reset to delete the demo data first, or --if-empty to skip quietly."
            ) from None
        elapsed = time.perf_counter() - started
        if options.get("verbosity", 1) < 1:
            return
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo council in {elapsed:.1f} s: {summary}."))
        self.stdout.write(
            f"Demo users: officer, head, director, cmt, hub, councillor, scrutiny, auditor; password {PASSWORD!r}."
        )
