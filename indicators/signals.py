"""Queue an indicator's recompute after any change to its results or targets commits.

A signal rather than a call in each service, so that every path that saves a result (forms,
imports, the admin) keeps assessments current. Bulk loaders that bypass signals recompute
themselves. `on_commit` makes the worker see the committed row, and a rolled-back save queues
nothing.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from indicators.models import Result, Target


def enqueue_recompute(indicator_id: int) -> None:
    from indicators.tasks import recompute_indicator

    transaction.on_commit(lambda: recompute_indicator.delay(indicator_id))


@receiver([post_save, post_delete], sender=Result)
@receiver([post_save, post_delete], sender=Target)
def result_or_target_changed(sender, instance, **kwargs):
    enqueue_recompute(instance.indicator_id)
