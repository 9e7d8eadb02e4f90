"""Stored assessments: RAG, direction, variation and forecast per result, written by the recompute."""

from django.db import models
from django.db.models import Q

from indicators.analytics import constants as c
from indicators.models.library import Indicator, Period, _choices


class Assessment(models.Model):
    """The stored judgement of one result: RAG, direction of travel and what they were based on.

    Written in bulk by `indicators.services.assessments`; pages only read these rows.
    """

    # No index of its own: the unique (indicator, period) index serves every look-up by indicator,
    # and one index fewer is one fewer to write for every row a recompute changes.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="assessments", db_index=False
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    rag = models.CharField(max_length=10, choices=_choices(c.RAG_LABELS))
    direction = models.CharField(max_length=10, choices=_choices(c.DIRECTION_LABELS))
    # No index (issue 12, full4): nothing looks assessments up by their comparator; only deleting
    # a period (PROTECT) does, which scans the table instead, and a recompute writes one index fewer.
    comparator_period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    comparator_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    is_latest = models.BooleanField(
        default=False, help_text="The indicator's most recent assessed period (what lists show)."
    )
    # Variation (XmR): the judgement of this point and the limits it was judged against.
    variation = models.CharField(max_length=20, choices=_choices(c.VARIATION_LABELS), blank=True)
    special_cause_rule = models.CharField(max_length=20, choices=_choices(c.RULE_LABELS), blank=True)
    assurance = models.CharField(max_length=20, choices=_choices(c.ASSURANCE_LABELS), blank=True)
    centre_line = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    upper_limit = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    lower_limit = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    trial_limits = models.BooleanField(
        default=False, help_text="Fewer than 13 points: limits are provisional."
    )
    shift_since = models.DateField(
        null=True,
        blank=True,
        help_text="Start of the sustained shift this point ends (a rebase is suggested from it and "
        "the assurance is not judged meanwhile); blank: none.",
    )
    # Year-end forecast made at this point, with its method and range.
    forecast_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    forecast_low = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    forecast_high = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    forecast_method = models.CharField(max_length=20, choices=_choices(c.FORECAST_METHOD_LABELS), blank=True)
    forecast_inputs = models.JSONField(default=dict, blank=True)
    forecast_rag = models.CharField(max_length=10, choices=_choices(c.RAG_LABELS), blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="assessment_unique_indicator_period",
                violation_error_message="This indicator already has an assessment for that period.",
            ),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(is_latest=True),
                name="assessment_one_latest_per_indicator",
                violation_error_message="An indicator has only one latest assessment.",
            ),
        ]
        # No (is_latest, rag) or (is_latest, direction) index (issue 12, full4): the partial unique
        # index on the latest assessment finds the 1,000 latest rows for every page's filter, and
        # those two indexes changed with every RAG or direction, so no such update could be HOT.

    def __str__(self):
        return f"{self.indicator.reference} {self.period.label}: {self.rag}/{self.direction}"

    @property
    def rag_label(self) -> str:
        return c.RAG_LABELS.get(self.rag, "")

    @property
    def direction_label(self) -> str:
        return c.DIRECTION_LABELS.get(self.direction, "")


class RecomputeMark(models.Model):
    """An indicator whose assessments are out of date: the outbox of the recompute.

    Written in the same transaction as the result or target that changed it, so the need to
    recompute survives a broker outage (the queued task is only a fast path). The recompute
    deletes the mark it started from; the beat sweep (`indicators.tasks.sweep_recompute_marks`)
    and the nightly recompute pick up any mark left behind. While a mark exists, pages say the
    indicator's figures are being recalculated.
    """

    # A plain id, not a foreign key: a mark for an indicator deleted since is harmless (its
    # recompute finds nothing to do), and a delete that cascades to results never trips on it.
    indicator_id = models.BigIntegerField(primary_key=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Recompute indicator {self.indicator_id} (marked {self.marked_at:%Y-%m-%d %H:%M:%S})"


class IndicatorSummary(models.Model):
    """What a scorecard row shows of an indicator's history, written by the recompute.

    The year columns and the sparkline of the scorecard tables (`indicators.scorecard_figures`), as
    at the financial year of the indicator's latest assessment and as at the year after (`next_`),
    up to its latest assessment: the
    CMT scorecard reads one of these per row instead of the ~12 assessments each row's sparkline
    took from a window query (issue 12). A table of its own rather than columns on `Indicator`:
    indicators are edited by people (their judging fields kept in history, their saves queueing
    recomputes), while this is derived data the recompute rewrites, in the same transaction as
    the assessments it comes from and only when it changed.

    A scorecard uses a summary only where it answers the period asked for exactly (the same
    financial year or the next, the period ending on or after `latest_end`) and it was made with the
    indicator's current reference, decimal places, unit and frequency (`made_with`); any other row
    is worked out from the assessments as before.
    """

    indicator = models.OneToOneField(
        Indicator, primary_key=True, on_delete=models.CASCADE, related_name="summary"
    )
    # Blank when the indicator has no assessment: then its figures (all blank) serve any period.
    financial_year = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_end = models.DateField(null=True, blank=True)
    made_with = models.TextField(
        help_text="The reference, decimal places, unit and frequency it was drawn with."
    )
    # The three year columns: [value as text or null, note ("Q3" for an in-year result), display].
    years = models.JSONField(default=list)
    sparkline = models.TextField(blank=True)  # the compact SVG, escaped; "" without points
    sparkline_text = models.TextField(blank=True)
    # The same as at the financial year after `financial_year` (its columns move on a year).
    next_years = models.JSONField(default=list)
    next_sparkline = models.TextField(blank=True)
    next_sparkline_text = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Summary of indicator {self.indicator_id} as at {self.latest_end}"
