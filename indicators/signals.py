"""Queue an indicator's recompute after any change to its results or targets commits.

A signal rather than a call in each service, so that every path that saves a result (forms,
imports, the admin) keeps assessments current. Bulk loaders that bypass signals recompute
themselves. `on_commit` makes the worker see the committed row, and a rolled-back save queues
nothing. The need itself is durable: a RecomputeMark written in the save's own transaction
(`indicators.services.recompute_marks`), so a broker outage loses no recompute.

Writers of many rows (the workbook import) wrap their writes in `recomputes_collected()`: inside
it a save only notes its indicator, and on leaving, each noted indicator is queued once (still
on commit). Without it, importing 12 months for 50 indicators would queue 600 recomputes where
one task recomputing the 50 does the same work.
"""

import contextlib
import contextvars

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record

from indicators.models import Indicator, Result, Target
from indicators.services.recompute_marks import enqueue_many_safely, enqueue_safely, mark_for_recompute

# The indicator ids noted inside `recomputes_collected()`, or None outside it. A context variable,
# so concurrent requests (threads) and nested blocks never share one set.
_collecting: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar("collecting", default=None)


def _queue_on_commit(indicator_id: int) -> None:
    """Queue the recompute once the transaction commits; a broker outage never fails the save
    (`enqueue_safely` never raises), and the mark written beside the result keeps the work."""
    transaction.on_commit(lambda: enqueue_safely(indicator_id))


def enqueue_recompute(indicator_id: int) -> None:
    collected = _collecting.get()
    if collected is not None:
        collected.add(indicator_id)
        return
    mark_for_recompute([indicator_id])
    _queue_on_commit(indicator_id)


@contextlib.contextmanager
def recomputes_collected():
    """Queue one recompute per changed indicator when the block ends, not one per saved row.

    Use inside the writer's transaction: the recomputes still run only once it commits, and
    nothing is queued if it rolls back (nor if the block raises). A nested block joins the
    outer one.
    """
    if _collecting.get() is not None:
        yield
        return
    collected: set[int] = set()
    token = _collecting.set(collected)
    try:
        yield
    finally:
        _collecting.reset(token)
    # Reached only when the block did not raise. One task recomputes them all: an import of
    # 1,000 indicators queues one recompute, not 1,000 (each of which, run eagerly, would wait).
    mark_for_recompute(collected)
    if len(collected) == 1:
        _queue_on_commit(next(iter(collected)))
    elif collected:
        ids = sorted(collected)
        transaction.on_commit(lambda: enqueue_many_safely(ids))


@receiver([post_save, post_delete], sender=Result)
@receiver([post_save, post_delete], sender=Target)
def result_or_target_changed(sender, instance, origin=None, **kwargs):
    if isinstance(origin, Indicator) or getattr(origin, "model", None) is Indicator:
        return  # the indicator itself is being deleted: nothing left to recompute
    if sender is Target and instance.kind == Target.Kind.TRAJECTORY:
        return  # a trajectory judges nothing the stored assessments hold
    enqueue_recompute(instance.indicator_id)


@receiver(post_create_historical_record, sender=Indicator.history.model)
def judging_fields_changed(sender, instance, history_instance, **kwargs):
    """A changed polarity, tolerance, frequency… rejudges the stored results (history is written
    only when a judging field changed: `Indicator.save`)."""
    if history_instance.history_type == "~":
        enqueue_recompute(instance.id)
