"""Targets: the hub sets annual targets and optional quarterly or monthly profiles.

Every path (the targets page, workbook imports, the admin's target form and the targets inline
on an indicator) writes through `target_write` / `target_remove`, so every change writes a
`TargetChange` (who, when, old → new, why) in the same transaction;
saving a target fires the recompute signal, so RAG follows at once. Setting the value a target
already has changes nothing and records nothing.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator, Period, Target, TargetChange
from indicators.periods import target_period_error
from indicators.services.validity import MAX_ABS_VALUE, validity_errors
from organisation.calendar import reporting_date
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


def target_period_refusal(period: Period, as_of=None) -> str | None:
    """Why no target is taken for ``period``: further ahead than the year after the reporting date's."""
    return target_period_error(
        start=period.start, label=period.label, as_of=as_of if as_of is not None else reporting_date()
    )


@transaction.atomic
def target_set(*, user, indicator: Indicator, period: Period, value: Decimal, reason: str = "") -> bool:
    """Set one target; True when it changed."""
    target = Target.objects.select_for_update().filter(indicator=indicator, period=period).first()
    if target is None:
        target = Target(indicator=indicator, period=period)
    target.value = value
    return target_write(user=user, target=target, reason=reason)


@transaction.atomic
def target_write(*, user, target: Target, reason: str = "") -> bool:
    """Save a target whose new value is set on it (the targets page, an import, the admin's form
    or its inline on the indicator) and record the change; True when the value changed."""
    if not can_set_targets(user):
        raise PermissionDenied("Targets are set by the Strategic Intelligence Hub.")
    errors = target_errors(target.indicator, target.value)
    if refusal := target_period_refusal(target.period):
        errors["period"] = refusal
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    old = None
    if target.pk is not None:
        old = Target.objects.select_for_update().filter(pk=target.pk).values_list("value", flat=True).first()
    if old is not None and old == target.value:
        return False
    target.set_by = user
    target.save()
    _record(user, target, old, target.value, reason)
    return True


@transaction.atomic
def target_remove(*, user, target: Target, reason: str) -> None:
    """Delete a target (the admin's inline), recording old → none and why."""
    if not can_set_targets(user):
        raise PermissionDenied("Targets are set by the Strategic Intelligence Hub.")
    old = Target.objects.select_for_update().filter(pk=target.pk).values_list("value", flat=True).first()
    if old is None:
        return
    target.delete()
    _record(user, target, old, None, reason)


def _record(user, target: Target, old: Decimal | None, new: Decimal | None, reason: str) -> None:
    TargetChange.objects.create(
        indicator_id=target.indicator_id,
        period_id=target.period_id,
        old_value=old,
        new_value=new,
        reason=(reason or "").strip(),
        changed_by=user,
        changed_at=timezone.now(),
    )
