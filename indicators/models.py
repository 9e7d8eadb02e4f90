"""Indicator library, periods, results, targets and stored assessments.

Tables, constraints and small properties only: calculations live in `indicators.analytics`
(pure functions) and writes in `indicators.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from indicators.analytics import constants as c
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

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.reference])

    @property
    def polarity_label(self) -> str:
        return c.POLARITY_LABELS[self.polarity]


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
        return f"{self.indicator.reference} {self.period.label}: {self.value}"


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


class Target(models.Model):
    """A target for one indicator and period (annual, or a quarterly/monthly profile)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="target_unique_indicator_period",
                violation_error_message="This indicator already has a target for that period.",
            )
        ]

    def __str__(self):
        return f"{self.indicator.reference} {self.period.label} target {self.value}"


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


class Assessment(models.Model):
    """The stored judgement of one result: RAG, direction of travel and what they were based on.

    Written in bulk by `indicators.services.assessments`; pages only read these rows.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="assessments")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    target = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    rag = models.CharField(max_length=10, choices=_choices(c.RAG_LABELS))
    direction = models.CharField(max_length=10, choices=_choices(c.DIRECTION_LABELS))
    comparator_period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
        indexes = [models.Index(fields=["is_latest", "rag"]), models.Index(fields=["is_latest", "direction"])]

    def __str__(self):
        return f"{self.indicator.reference} {self.period.label}: {self.rag}/{self.direction}"

    @property
    def rag_label(self) -> str:
        return c.RAG_LABELS.get(self.rag, "")

    @property
    def direction_label(self) -> str:
        return c.DIRECTION_LABELS.get(self.direction, "")


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


class ComparatorOrganisation(models.Model):
    """Another council (or a national/regional average) that results are benchmarked against."""

    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=20, unique=True, help_text="E.g. an ONS code such as E06000014.")
    is_own_council = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComparatorGroup(models.Model):
    """E.g. CIPFA nearest neighbours, English unitary authorities, national."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(ComparatorOrganisation, related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ComparatorValue(models.Model):
    """One organisation's value for one indicator and period (long format, as imported)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparator_values")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(ComparatorOrganisation, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "period__start", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "organisation"],
                name="comparator_value_unique",
                violation_error_message="That organisation already has a value for this indicator and period.",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id} {self.organisation_id}: {self.value}"


class SubmissionReceipt(models.Model):
    """A data-entry form's one-time key, so a form sent twice is applied once.

    Every entry form carries a fresh random key. The first POST with it records the receipt in
    the same transaction as its change; a second POST (double click, back button, resend) finds
    the receipt and is answered with the result as it stands, writing nothing.
    """

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result = models.ForeignKey(Result, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.key} by {self.user_id}"


class ReminderLog(models.Model):
    """One reminder digest sent to one officer on one day: nobody gets the same digest twice a day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    returns_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "day"],
                name="reminder_log_one_per_user_per_day",
                violation_error_message="This officer has already had a reminder digest today.",
            )
        ]

    def __str__(self):
        return f"Reminder to {self.user_id} on {self.day}"


class ImportBatch(models.Model):
    """A workbook or CSV import: previewed first, applied once on confirmation, kept for audit."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed, not yet applied"
        APPLIED = "applied", "Applied"

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="Fingerprint of the uploaded file.")
    kind = models.CharField(max_length=20, help_text="results, table_3_3 or targets.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    plan = models.JSONField(default=dict, blank=True, help_text="What the preview said would be written.")
    summary = models.JSONField(default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"
