"""`manage.py send_plan_reminders`: email accountable officers their plan actions and risks that are due."""

from django.core.management.base import BaseCommand

from service_plans.reminders import plan_reminders_send


class Command(BaseCommand):
    help = "Email each accountable officer the plan actions to update and risks to review (once a month)."

    def handle(self, *args, **options):
        run = plan_reminders_send()
        self.stdout.write(
            f"Plan reminders: {run.sent} sent, {run.already_sent} already sent, {run.no_email} without email."
        )
