"""Library settings changed through a service, kept in the indicator's history.

The hub keeps most of the library in the admin; the directorate scorecard flag is also set from a
Service Improvement Plan's Table 3.3 ("Include"), by the head of the indicator's service, so that
change is checked here and recorded like every admin change of a judging field (django-simple-history
on `Indicator`): who, when, old → new and why, on the indicator page's history and in /audit/.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from indicators.analytics.sense import meaningful_commentary
from indicators.models import Indicator
from organisation import roles


@transaction.atomic
def scorecard_flag_set(*, user, indicator: Indicator, include: bool, reason: str) -> bool:
    """Put the indicator on its directorate scorecard, or take it off. Returns whether it changed
    (an unchanged flag records nothing). A reason is required: a sentence, as for commentary."""
    if not roles.may_set_scorecard_flag(user, indicator.service_id):
        raise PermissionDenied("Only the head of the indicator's service or the hub sets its scorecard flag.")
    reason = (reason or "").strip()
    if not meaningful_commentary(reason):
        raise ValidationError({"reason": "Say why, in a sentence (at least 10 characters)."})
    # The whole row, locked: its history row is a copy of it, and `save` compares it as loaded.
    current = Indicator.objects.select_for_update().get(id=indicator.id)
    if current.on_scorecard == include:
        return False
    current.on_scorecard = include
    current._change_reason = reason
    current._history_user = user if user is not None and user.is_authenticated else None
    current.save()
    indicator.on_scorecard = include
    return True
