"""Targets: the hub sets annual targets and optional quarterly or monthly profiles.

Every change writes a `TargetChange` (who, when, old → new, why) in the same transaction;
saving a target fires the recompute signal, so RAG follows at once. Setting the value a target
already has changes nothing and records nothing.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.data_entry.services.results import MAX_ABS_VALUE, validity_errors
from indicators.models import Indicator, Period, Target, TargetChange
from organisation.roles import keeps_library


def can_set_targets(user) -> bool:
    """The hub owns targets (DOMAIN.md); `None` is the command line."""
    return keeps_library(user)


def target_errors(indicator: Indicator, value: Decimal | None) -> dict[str, str]:
    """A target obeys the unit's rules, except the plausible range (a stretch target may lie outside)."""
    if value is None:
        return {"value": "Enter the target, a number"}
    if not value.is_finite() or abs(value) > MAX_ABS_VALUE:
        return {"value": "Enter a target smaller than 100 million million"}
    errors = validity_errors(
        unit=indicator.unit,
        decimal_places=indicator.decimal_places,
        plausible_min=None,
        plausible_max=None,
        value=value,
    )
    if indicator.unit == Indicator.Unit.COUNT and "value" in errors and value >= 0:
        errors.pop("value")  # a profiled count target may be fractional (a twelfth of a year's)
    if "value" not in errors and value < 0:
        # A stretch target may lie outside the plausible range, but not below zero where no
        # result can (days taken, or an indicator whose plausible minimum is 0 or more): a
        # target of -5 seconds would colour every result red.
        floor = indicator.plausible_min
        if indicator.unit == Indicator.Unit.DAYS or (floor is not None and floor >= 0):
            errors["value"] = "A target for this indicator cannot be below 0: results never are"
    return errors


@transaction.atomic
def target_set(*, user, indicator: Indicator, period: Period, value: Decimal, reason: str = "") -> bool:
    """Set one target; True when it changed."""
    if not can_set_targets(user):
        raise PermissionDenied("Targets are set by the Strategic Intelligence Hub.")
    errors = target_errors(indicator, value)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    target = Target.objects.select_for_update().filter(indicator=indicator, period=period).first()
    old = target.value if target else None
    if old is not None and old == value:
        return False
    if target is None:
        target = Target(indicator=indicator, period=period)
    target.value = value
    target.set_by = user
    target.save()
    TargetChange.objects.create(
        indicator=indicator,
        period=period,
        old_value=old,
        new_value=value,
        reason=(reason or "").strip(),
        changed_by=user,
        changed_at=timezone.now(),
    )
    return True
