"""Exception lists, the as-reported history of assessments, and the log of deliberate history recomputes."""

from django.conf import settings
from django.db import models

from indicators.analytics import constants as c
from indicators.models import Indicator, Period


class ExceptionReason(models.TextChoices):
    """Why an indicator is on a period's exception list (DOMAIN.md "Exceptions")."""

    RED = "red", "RAG red"
    WORSENING = "worsening", "Worsening for 2 or more consecutive periods"
    SPECIAL_CAUSE_CONCERNING = "special_concerning", "Special cause – concerning"
    FORECAST_RED = "forecast_red", "Year-end forecast red"
    MISSING = "missing", "Result missing past its due date"


class ExceptionList(models.Model):
    """One period's exception list: built once the period's returns fall due, kept current after."""

    period = models.OneToOneField(Period, on_delete=models.PROTECT, related_name="exception_list")
    built_at = models.DateTimeField(help_text="When the list was first built (and the assessments frozen).")
    refreshed_at = models.DateTimeField(
        help_text="When the list's entries last changed: built, or an entry added, removed or re-reasoned."
    )
    reporting_date = models.DateField(help_text="The reporting date the list was first built against.")

    class Meta:
        ordering = ["-period__start", "period__kind"]

    def __str__(self):
        return f"Exception list {self.period.label}"


class ExceptionEntry(models.Model):
    """An indicator on a period's exception list, with every reason, and the hub's review."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="exception_entries")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="exception_entries")
    reasons = models.JSONField(
        default=list,
        blank=True,
        help_text="ExceptionReason codes; empty once a reviewed entry no longer applies.",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "indicator__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "indicator"],
                name="exception_entry_unique_period_indicator",
                violation_error_message="This indicator is already on that period's exception list.",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id}: {', '.join(self.reasons)}"

    @property
    def reason_labels(self) -> list[str]:
        return [ExceptionReason(r).label for r in self.reasons if r in ExceptionReason.values]

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None


class ReportedAssessment(models.Model):
    """An assessment as it stood when its period was reported (frozen).

    Written when the period's exception list is first built after its due date. A later change of
    target or tolerance re-colours the current `Assessment` but never this row, unless the hub
    deliberately recomputes history (`HistoryRecompute`).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reported_assessments")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reported_assessments")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    rag = models.CharField(max_length=10, choices=list(c.RAG_LABELS.items()))
    direction = models.CharField(max_length=10, choices=list(c.DIRECTION_LABELS.items()))
    variation = models.CharField(max_length=20, choices=list(c.VARIATION_LABELS.items()), blank=True)
    assurance = models.CharField(max_length=20, choices=list(c.ASSURANCE_LABELS.items()), blank=True)
    shift_since = models.DateField(
        null=True, blank=True, help_text="Start of a sustained shift (see Assessment)."
    )
    forecast_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    forecast_method = models.CharField(
        max_length=20, choices=list(c.FORECAST_METHOD_LABELS.items()), blank=True
    )
    forecast_rag = models.CharField(max_length=10, choices=list(c.RAG_LABELS.items()), blank=True)
    reported_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="reported_assessment_unique_indicator_period",
                violation_error_message="This indicator already has an as-reported assessment for that period.",
            )
        ]
        # Scorecards ask, for every period, when it was reported: by period, newest first.
        indexes = [models.Index(fields=["period", "-reported_at"], name="reported_by_period_time")]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id} as reported: {self.rag}/{self.direction}"


class HistoryRecompute(models.Model):
    """The hub deliberately rewrote a period's as-reported assessments from the current ones. Never edited."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    rows_rewritten = models.PositiveIntegerField(default=0)
    changed = models.JSONField(
        default=list, blank=True, help_text="[{indicator, old_rag, new_rag}] for each row whose RAG changed."
    )
    recomputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recomputed_at = models.DateTimeField()

    class Meta:
        ordering = ["-recomputed_at", "-id"]

    def __str__(self):
        return f"History of {self.period_id} recomputed by {self.recomputed_by_id} at {self.recomputed_at}"


# Committee reports and returns to central government live in their own package.
from reporting.reports.models import (  # noqa: E402, F401
    Collection,
    CollectionReturn,
    CommitteeMeeting,
    DeliveryPlan,
    DeliveryPlanChange,
    DeliveryPlanItem,
    NarrativeItem,
    Report,
    ReportEvent,
    ReportFile,
)
