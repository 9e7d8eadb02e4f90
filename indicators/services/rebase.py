"""The hub's answer to a suggested rebase after a sustained shift (DOMAIN.md "Variation").

The recompute marks the latest assessment with `shift_since` when its point ends a sustained shift
(`indicators.analytics.variation`). The hub then accepts the rebase, which becomes a dated baseline
annotation (the limits are recalculated from it, as trial limits while fewer than 13 points), or
dismisses it with a note, after which a shift from that start is not suggested again. Either way
the indicator is recomputed once the decision commits.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from indicators.models import Annotation, Assessment, Indicator, RebaseDecision
from indicators.signals import enqueue_recompute
from organisation.roles import is_hub

MIN_NOTE = 10


class RebaseError(ValueError):
    """The decision cannot be made as asked; the message says why, for the person."""


def suggested_rebase(indicator: Indicator) -> datetime.date | None:
    """The start of the sustained shift the latest assessment ends, if one is waiting for the hub."""
    return (
        Assessment.objects.filter(indicator=indicator, is_latest=True)
        .values_list("shift_since", flat=True)
        .first()
    )


def decide_rebase(
    user, indicator: Indicator, shift_start: datetime.date, decision: str, note: str = ""
) -> RebaseDecision:
    """Accept or dismiss the rebase suggested from ``shift_start``; the hub only."""
    if not is_hub(user):
        raise PermissionDenied(
            "Only the Strategic Intelligence Hub decides on rebasing an indicator's limits."
        )
    if decision not in RebaseDecision.Decision.values:
        raise RebaseError("Choose whether to accept or dismiss the suggested rebase.")
    note = (note or "").strip()
    if decision == RebaseDecision.Decision.DISMISSED and (
        len(note) < MIN_NOTE or not any(ch.isalpha() for ch in note)
    ):
        raise RebaseError("Say why the shift is not a change to the process (at least 10 characters).")
    with transaction.atomic():
        if suggested_rebase(indicator) != shift_start:
            raise RebaseError(
                "There is no rebase suggested from that date now: the chart has changed since the page "
                "was loaded. Look at it again."
            )
        annotation = None
        if decision == RebaseDecision.Decision.ACCEPTED:
            text = f"Rebase from {shift_start:%b %Y}: sustained shift accepted as a change to the process"
            annotation = Annotation.objects.create(
                indicator=indicator,
                date=shift_start,
                text=(f"{text}. {note}" if note else text)[:300],
                starts_new_baseline=True,
                created_by=user,
            )
        try:
            with transaction.atomic():
                made = RebaseDecision.objects.create(
                    indicator=indicator,
                    shift_start=shift_start,
                    decision=decision,
                    note=note,
                    annotation=annotation,
                    decided_by=user,
                    decided_at=timezone.now(),
                )
        except IntegrityError as exc:
            raise RebaseError("This shift has already been accepted or dismissed.") from exc
        enqueue_recompute(indicator.id)
    return made
