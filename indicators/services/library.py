"""Library settings changed through a service, with their history (`IndicatorChange`).

The hub keeps most of the library in the admin; the directorate scorecard flag is also set from a
Service Improvement Plan's Table 3.3 ("Include"), by the head of the indicator's service, so that
change is checked and recorded here: who, when, old → new and why.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.analytics.sense import meaningful_commentary
from indicators.models import Indicator, IndicatorChange
from organisation import roles


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


@transaction.atomic
def scorecard_flag_set(*, user, indicator: Indicator, include: bool, reason: str) -> bool:
    """Put the indicator on its directorate scorecard, or take it off. Returns whether it changed
    (an unchanged flag records nothing). A reason is required: a sentence, as for commentary."""
    if not roles.may_set_scorecard_flag(user, indicator.service_id):
        raise PermissionDenied("Only the head of the indicator's service or the hub sets its scorecard flag.")
    reason = (reason or "").strip()
    if not meaningful_commentary(reason):
        raise ValidationError({"reason": "Say why, in a sentence (at least 10 characters)."})
    current = Indicator.objects.select_for_update().only("id", "on_scorecard").get(id=indicator.id)
    if current.on_scorecard == include:
        return False
    Indicator.objects.filter(id=indicator.id).update(on_scorecard=include)
    indicator.on_scorecard = include
    IndicatorChange.objects.create(
        indicator_id=indicator.id,
        field="on_scorecard",
        old_value=_yes_no(current.on_scorecard),
        new_value=_yes_no(include),
        reason=reason,
        changed_by=user if user is not None and user.is_authenticated else None,
        changed_at=timezone.now(),
    )
    return True
