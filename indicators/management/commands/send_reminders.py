"""manage.py send_reminders: email today's return reminder digests now (at most one per officer a day)."""

from django.core.management.base import BaseCommand

from indicators.data_entry.services.reminders import reminders_send


class Command(BaseCommand):
    help = "Email each officer one digest of returns due within 5 days and overdue ones (once a day)."

    def handle(self, *args, **options):
        run = reminders_send()
        self.stdout.write(
            f"Sent {run.sent} digest(s); {run.already_sent} officer(s) already had today's; "
            f"{run.no_email} without an email address."
        )
