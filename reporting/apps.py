from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Reporting"

    def ready(self):
        from indicators.services.assessments import assessments_recomputed
        from reporting.exceptions import refresh_after_recompute

        # The exception lists follow the assessments they are drawn from (see indicators.services.assessments).
        assessments_recomputed.connect(refresh_after_recompute, dispatch_uid="reporting.exception_lists")
