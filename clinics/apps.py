from django.apps import AppConfig
from django.db.models.signals import post_delete


def _trajectory_point_deleted(sender, instance, **kwargs):
    """A deleted plan (or point) takes its trajectory target with it: a trajectory target is only
    ever its plan's, never an ordinary target left behind."""
    if instance.target_id:
        from indicators.models import Target

        Target.trajectories.filter(id=instance.target_id).delete()


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = "Performance clinics"

    def ready(self):
        from clinics.models import TrajectoryPoint
        from clinics.selectors import trajectory_chart_series
        from indicators.charts import chart_series_wanted

        # A signed-off remedial plan's trajectory is drawn on the indicator chart (indicators.charts).
        chart_series_wanted.connect(trajectory_chart_series, dispatch_uid="clinics.trajectory_series")
        post_delete.connect(
            _trajectory_point_deleted, sender=TrajectoryPoint, dispatch_uid="clinics.trajectory_point_deleted"
        )
