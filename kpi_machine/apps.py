from django.apps import AppConfig


class KpiMachineConfig(AppConfig):
    """The project itself, as an app: only for the commands that span every app (the demo
    council, the embedded start, the bench), which belong to no one app below it."""

    name = "kpi_machine"
    verbose_name = "KPI Machine"
