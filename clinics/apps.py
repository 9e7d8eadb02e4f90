from django.apps import AppConfig


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Performance clinics"

    def ready(self):
        from clinics.selectors import trajectory_chart_series
        from indicators.charts import chart_series_wanted

        # A signed-off remedial plan's trajectory is drawn on the indicator chart (indicators.charts).
        chart_series_wanted.connect(trajectory_chart_series, dispatch_uid="clinics.trajectory_series")
