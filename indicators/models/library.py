"""The indicator library: periods, indicators and the dated notes on their charts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from indicators.analytics import constants as c
from indicators.periods import period_key
from organisation.models import Board, Portfolio, Service, Theme


def _choices(labels: dict[str, str]) -> list[tuple[str, str]]:
    return list(labels.items())


class Period(models.Model):
    """A month, quarter or financial year; unique by (kind, start). See indicators.periods."""

    MONTH, QUARTER, YEAR = c.MONTH, c.QUARTER, c.YEAR
    KIND_CHOICES = [(MONTH, "Month"), (QUARTER, "Quarter"), (YEAR, "Financial year")]

    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    start = models.DateField()
    end = models.DateField()
    label = models.CharField(max_length=20, help_text='E.g. "Dec 2015", "Q3 2015/16", "2015/16".')
    financial_year = models.PositiveSmallIntegerField(help_text="Starting calendar year: 2015 for 2015/16.")

    class Meta:
        ordering = ["start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "start"],
                name="period_unique_kind_start",
                violation_error_message="A period of this kind already starts on that date.",
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="period_end_after_start",
                violation_error_message="A period must end after it starts.",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def key(self) -> str:
        """The period in URLs: "2015-12", "fy2015-16-q3", "fy2015-16" (`indicators.periods`)."""
        return period_key(self.kind, self.start)


# The fields that decide how a result is judged (RAG, direction, variation, sense check, what is
# published): each change to them is kept with who, when and why in `Indicator.history`
# (django-simple-history). The reference is kept too, so a row still names its indicator.
JUDGING_FIELDS = (
    "reference",
    "unit",
    "decimal_places",
    "polarity",
    "frequency",
    "measure_type",
    "ytd_accumulates",
    "seasonal",
    "compare_across_period_kinds",
    "plausible_min",
    "plausible_max",
    "tolerance",
    "tolerance_kind",
    "change_threshold",
    "change_threshold_kind",
    "baseline_points",
    "published",
    # Not a judging field, but what CMT and DMT are shown: set from a plan's Table 3.3 by its head.
    "on_scorecard",
)
HISTORY_BASELINE_REASON = "Settings as they stood before their first recorded change"
# Everything else (titles, ownership, line of sight) is not history-worthy here.
UNJUDGED_FIELDS = (
    "title",
    "definition",
    "data_source",
    "category",
    "service",
    "responsible_officer",
    "portfolio",
    "statutory",
    "submission_lag_days",
    "is_active",
    "created_at",
    "updated_at",
)


class Indicator(models.Model):
    """A performance indicator: every field of DOMAIN.md "Indicators"."""

    class Category(models.TextChoices):
        PERFORMANCE = "performance", "General service performance"
        CUSTOMER = "customer", "Customer experience"
        WORKFORCE = "workforce", "Workforce"
        FINANCE = "finance", "Finance"

    class Unit(models.TextChoices):
        COUNT = "count", "Count"
        PERCENTAGE = "percentage", "Percentage (%)"
        CURRENCY = "currency", "Currency (£)"
        CURRENCY_THOUSANDS = "currency_thousands", "Currency (£000s)"
        DAYS = "days", "Days"
        RATIO = "ratio", "Ratio"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    class MeasureType(models.TextChoices):
        PERIOD = c.MEASURE_PERIOD, "Period (value for the period alone)"
        YTD = c.MEASURE_YTD, "Year to date (cumulative)"
        SNAPSHOT = c.MEASURE_SNAPSHOT, "Snapshot (state at period end)"

    reference = models.CharField(
        max_length=20, unique=True, help_text="Reference ID as used in service plans, e.g. STF15."
    )
    title = models.CharField(max_length=300)
    definition = models.TextField(blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.COUNT)
    decimal_places = models.PositiveSmallIntegerField(default=0)
    polarity = models.CharField(max_length=12, choices=_choices(c.POLARITY_LABELS))
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    measure_type = models.CharField(max_length=10, choices=MeasureType.choices, default=MeasureType.PERIOD)
    seasonal = models.BooleanField(
        default=False, help_text="Compare with the same period a year earlier, not the previous period."
    )
    ytd_accumulates = models.BooleanField(
        null=True,
        blank=True,
        verbose_name="year to date accumulates",
        help_text="Year-to-date measures only. Yes: each period adds an amount (calls so far; council tax "
        "collected as a % of the year's fixed debit; waste per household so far), charted and forecast on "
        "the amount added. No: a running rate whose base changes (sickness days per FTE so far), with no "
        "variation chart. Blank: counts, money and days accumulate, percentages and ratios do not.",
    )
    compare_across_period_kinds = models.BooleanField(
        default=False,
        help_text="Values of different period kinds are comparable (e.g. a forecast outturn, "
        "which is a full-year figure at every quarter).",
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="indicators")
    responsible_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_for_indicators",
    )
    data_entry_officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="data_entry_indicators"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="indicators")
    portfolio = models.ForeignKey(
        Portfolio, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    boards = models.ManyToManyField(Board, blank=True, related_name="indicators")
    on_scorecard = models.BooleanField(default=False, help_text="Include on the directorate scorecard.")
    statutory = models.BooleanField(default=False, help_text="Statutory / single data list return.")
    published = models.BooleanField(default=False, help_text="Published to the public as open data.")
    tolerance = models.DecimalField(max_digits=12, decimal_places=4, default=5)
    tolerance_kind = models.CharField(
        max_length=10, choices=_choices(c.TOLERANCE_KIND_LABELS), default=c.PERCENT
    )
    change_threshold = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="No-significant-change threshold for direction of travel; blank: any change counts.",
    )
    change_threshold_kind = models.CharField(
        max_length=10, choices=_choices(c.TOLERANCE_KIND_LABELS), default=c.ABSOLUTE
    )
    submission_lag_days = models.PositiveSmallIntegerField(
        default=20, help_text="Days after period end by which a result is due."
    )
    plausible_min = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    plausible_max = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    baseline_points = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Fix the XmR baseline to the first N points; blank: all points form the baseline.",
    )
    is_active = models.BooleanField(default=True, help_text="Untick to retire the indicator.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed a judging field, when, old → new (from the previous row) and why
    # (`history_change_reason`); the user comes from the request (simple-history's middleware) or
    # `_history_user`, the reason from `_change_reason`. A save that leaves every judging field as
    # it was records nothing (see `save`).
    history = HistoricalRecords(
        excluded_fields=list(UNJUDGED_FIELDS), history_change_reason_field=models.TextField(null=True)
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tolerance__gte=0),
                name="indicator_tolerance_not_negative",
                violation_error_message="The amber tolerance cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(change_threshold__isnull=True) | Q(change_threshold__gte=0),
                name="indicator_change_threshold_not_negative",
                violation_error_message="The no-significant-change threshold cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(decimal_places__lte=6),
                name="indicator_decimal_places_at_most_6",
                violation_error_message="Use at most 6 decimal places.",
            ),
            models.CheckConstraint(
                condition=Q(plausible_min__isnull=True)
                | Q(plausible_max__isnull=True)
                | Q(plausible_min__lte=F("plausible_max")),
                name="indicator_plausible_range_ordered",
                violation_error_message="The plausible minimum must not exceed the plausible maximum.",
            ),
            models.CheckConstraint(
                condition=Q(polarity__in=c.POLARITIES),
                name="indicator_polarity_valid",
                violation_error_message="Polarity must be Up is Good, Up is Bad or Neutral.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_judging", None)
        unchanged = not self._state.adding and stored == self.judging_values()
        if unchanged:
            self.skip_history_when_saving = True
        elif stored is not None and not self.history.exists():
            # Loaded in bulk (the demo, a bench council) with no history yet: keep the settings as
            # they stood, so this first change still reads old → new.
            self.history.model(
                id=self.pk,
                history_date=self.updated_at or timezone.now(),
                history_type="+",
                history_change_reason=HISTORY_BASELINE_REASON,
                **stored,
            ).save()
        try:
            super().save(*args, **kwargs)
        finally:
            if unchanged:
                del self.skip_history_when_saving
        self._stored_judging = self.judging_values()

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.reference])

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        loaded = dict(zip(field_names, values, strict=True))
        # As stored, so that `save` can tell whether a judging field changed without a query.
        if all(name in loaded for name in JUDGING_FIELDS):
            instance._stored_judging = {name: loaded[name] for name in JUDGING_FIELDS}
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        # Now as stored again: a save without a change after a refresh records nothing.
        if not self.get_deferred_fields() & set(JUDGING_FIELDS):
            self._stored_judging = self.judging_values()

    def judging_values(self) -> dict:
        return {name: getattr(self, name) for name in JUDGING_FIELDS}

    @property
    def polarity_label(self) -> str:
        return c.POLARITY_LABELS[self.polarity]

    @property
    def variation_basis(self) -> str | None:
        """What its XmR chart plots: "value", "increment" (an accumulating year-to-date measure) or
        None (a year-to-date running rate: no chart). See `indicators.analytics.bulk.variation_basis`."""
        from indicators.analytics.bulk import variation_basis

        return variation_basis(self.measure_type, self.unit, self.ytd_accumulates)


class Annotation(models.Model):
    """A dated note on an indicator's chart ("new triage process started"); may start a new baseline."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="annotations")
    date = models.DateField()
    text = models.CharField(max_length=300)
    starts_new_baseline = models.BooleanField(
        default=False, help_text="Rebase the XmR limits from the first result on or after this date."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "date"]

    def __str__(self):
        return f"{self.indicator_id} {self.date}: {self.text}"


class RebaseDecision(models.Model):
    """The hub's answer to a suggested rebase after a sustained shift (DOMAIN.md "Variation").

    Accepted: the rebase is the dated baseline annotation it created (limits recalculated from it).
    Dismissed: kept with its note, and a shift from the same start is not suggested again.
    """

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted: limits rebased"
        DISMISSED = "dismissed", "Dismissed"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="rebase_decisions")
    shift_start = models.DateField(help_text="Start of the first period of the sustained shift.")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True)
    annotation = models.OneToOneField(
        Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="rebase_decision"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["indicator", "-shift_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "shift_start"],
                name="rebase_decision_one_per_shift_start",
                violation_error_message="This shift has already been accepted or dismissed.",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} shift from {self.shift_start}: {self.decision}"
