from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "Indicators"

    def ready(self):
        from . import signals  # noqa: F401  (connects the recompute-on-save hooks)
