from django.apps import AppConfig


class KpiMachineConfig(AppConfig):
    """The project itself, as an app: only for the commands that span every app (the demo
    council, the embedded start, the bench), which belong to no one app below it."""

    name = "kpi_machine"
    verbose_name = "KPI Machine"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from kpi_machine.middleware import start_idle_clock

        # The idle clock starts at sign-in, in the session that sign-in saves anyway.
        user_logged_in.connect(start_idle_clock, dispatch_uid="kpi_machine.start_idle_clock")
