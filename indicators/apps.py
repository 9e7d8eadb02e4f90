from importlib import import_module

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators"

    def ready(self):
        # Connects the receivers that queue a recompute whenever a result or target is saved.
        import_module("indicators.signals")
