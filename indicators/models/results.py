"""Results and targets as data, with their change history (who, when, old → new, why)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.formatting import format_value
from indicators.models.library import Indicator, Period


class Result(models.Model):
    """One value for one indicator and one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="results")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="results")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    commentary = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_provisional = models.BooleanField(default=False)
    is_proxy = models.BooleanField(default=False, help_text="Proxy data used in the absence of actual data.")
    unusual_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why the value failed the sense check, kept for the approver once the person confirmed it.",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True, help_text="Why an approver returned it for changes.")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every change (optimistic locking).")

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="result_unique_indicator_period",
                violation_error_message="This indicator already has a result for that period.",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | ~Q(denominator=0),
                name="result_denominator_not_zero",
                violation_error_message="The denominator cannot be zero.",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(status="approved"),
                name="result_approved_at_only_when_approved",
                violation_error_message="Only an approved result has an approval time.",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.reference} {self.period.label}: {self._shown(self.value)}"

    def _shown(self, value) -> str:
        return format_value(value, self.indicator.decimal_places, self.indicator.unit)


class ResultChange(models.Model):
    """History of a result: who changed what, when, old → new. Never edited or deleted."""

    result = models.ForeignKey(Result, null=True, on_delete=models.SET_NULL, related_name="changes")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="result_changes")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True, help_text="The result's fields before the change.")
    after = models.JSONField(default=dict, blank=True, help_text="The result's fields after the change.")
    version = models.PositiveIntegerField(default=1, help_text="The result's version after this change.")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self):
        return (
            f"{self.indicator_id} {self.period_id} {self.action} by {self.changed_by_id} at {self.changed_at}"
        )


class TargetKind(models.TextChoices):
    TARGET = "target", "Target (annual or profiled)"
    TRAJECTORY = "trajectory", "Remedial plan trajectory"


class OrdinaryTargetManager(models.Manager):
    """Annual and profiled targets only: what RAG, scorecards, forecasts, target history, exports,
    the admin and the targets pages judge by. The default manager (and so `indicator.targets`),
    so no reader of targets can pick up a remedial plan's trajectory by forgetting a filter."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=TargetKind.TARGET)


class TrajectoryManager(models.Manager):
    """The live trajectory of a signed-off remedial plan, one value per period (written and
    removed by `clinics.services`, never by the targets pages)."""

    def get_queryset(self):
        return super().get_queryset().filter(kind=TargetKind.TRAJECTORY)


class Target(models.Model):
    """A target for one indicator and period: annual, a quarterly/monthly profile, or a remedial
    plan's trajectory (DOMAIN.md "Results and targets"). Read ordinary targets through
    `Target.objects`, trajectories through `Target.trajectories`."""

    Kind = TargetKind

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)
    kind = models.CharField(max_length=10, choices=TargetKind.choices, default=TargetKind.TARGET)

    all_kinds = models.Manager()  # every kind: for the clinics app and migrations, never for judging
    objects = OrdinaryTargetManager()
    trajectories = TrajectoryManager()

    class Meta:
        ordering = ["indicator", "period__start"]
        default_manager_name = "objects"
        base_manager_name = "all_kinds"
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "kind"],
                name="target_unique_indicator_period_kind",
                violation_error_message="This indicator already has a target of that kind for that period.",
            )
        ]

    def __str__(self):
        indicator = self.indicator
        return f"{indicator.reference} {self.period.label} target {format_value(self.value, indicator.decimal_places, indicator.unit)}"


class TargetChange(models.Model):
    """History of a target: who set what, when, old → new, and why. Never edited or deleted."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="target_changes")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    old_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id}: {self.old_value} → {self.new_value}"
