"""Service Improvement Plans: one per service and financial year (see DOMAIN.md).

The framework's template as tables: the plan (header from the organisation, sections 1a, 1b and
2), Table 3.1 `Action` (with dated `ActionUpdate` progress), Table 3.2 `Risk` (scored on a
versioned `RiskMatrix`), Table 3.3 `PlanIndicator` (chosen from the library; the figures are
read live from the indicators' stored assessments, never copied). The sign-off cycle is
`Plan.status` with every move logged in `PlanTransition`; every edit is logged in `PlanChange`
(who, when, why, old → new); a signed-off plan is frozen as a `PlanVersion` snapshot.

Public names other apps link to (keep stable): `Plan`, `Action`, `Risk`, `RiskMatrix`,
`ActionUpdate`, `PlanIndicator`. Writes go through `service_plans.services`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from indicators.models import Indicator
from organisation.models import Portfolio, Service, Theme

USER = settings.AUTH_USER_MODEL


class Plan(models.Model):
    """A service's Service Improvement Plan for a financial year (covering 1 to 3 years)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        DMT_REVIEW = "dmt_review", "DMT review"
        MEMBER_REVIEW = "member_review", "Executive Member review"
        SIGNED_OFF = "signed_off", "Signed off and launched"
        ANNUAL_REVIEW = "annual_review", "Annual review"

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="plans")
    financial_year = models.PositiveSmallIntegerField(
        help_text="First financial year, e.g. 2016 for 2016/17."
    )
    years_covered = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="How many financial years the plan covers (1 to 3).",
    )
    portfolio = models.ForeignKey(
        Portfolio,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
        help_text="The Executive Member portfolio whose cabinet member signs the plan off.",
    )
    buddy = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buddy_plans",
        help_text="A buddy manager (another head of service) who scrutinises the plan.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveSmallIntegerField(
        default=1, help_text="The version being worked on or signed off."
    )
    previous_year = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_years"
    )
    # Section 1a Description.
    description = models.TextField(blank=True)
    customers = models.TextField(blank=True)
    client_groups = models.TextField(blank=True)
    teams = models.TextField(blank=True)
    partners = models.TextField(blank=True)
    # Section 1b Operating context and baseline resources.
    demographics = models.TextField(blank=True)
    strategies = models.TextField(blank=True)
    drivers = models.TextField(blank=True)
    challenging_performance = models.TextField(blank=True)
    risks_and_issues = models.TextField(blank=True)
    staff_headcount = models.PositiveIntegerField(null=True, blank=True)
    staff_fte = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Net budget in pounds."
    )
    # Section 2 Service improvement priorities.
    future_for_customer = models.TextField(blank=True)
    savings_summary = models.TextField(blank=True)
    high_level_activity = models.TextField(blank=True)
    foreseen_risks = models.TextField(blank=True)
    # Bookkeeping: "date last updated" and the edit counter that refuses stale forms.
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edit_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-financial_year", "service__directorate__name", "service__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "financial_year"],
                name="plan_one_per_service_year",
                violation_error_message="This service already has a plan for that financial year.",
            ),
            models.CheckConstraint(
                condition=Q(years_covered__gte=1, years_covered__lte=3),
                name="plan_covers_one_to_three_years",
                violation_error_message="A plan covers one to three financial years.",
            ),
        ]

    def __str__(self):
        return f"{self.service} {self.years_label}"

    def get_absolute_url(self):
        return reverse("service_plans:detail", args=[self.id])

    @property
    def years_label(self) -> str:
        last = self.financial_year + self.years_covered - 1
        first = f"{self.financial_year}/{(self.financial_year + 1) % 100:02d}"
        return first if last == self.financial_year else f"{first} to {last}/{(last + 1) % 100:02d}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SIGNED_OFF)


class Saving(models.Model):
    """Section 2: a saving the service must make, with its amount and year."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="savings")
    financial_year = models.PositiveSmallIntegerField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    area = models.CharField(max_length=300)

    class Meta:
        ordering = ["financial_year", "id"]

    def __str__(self):
        return f"£{self.amount} in {self.financial_year}: {self.area}"


class Action(models.Model):
    """Table 3.1: an action, its owner, dates, outcome indicators and progress."""

    class Kind(models.TextChoices):
        BAU = "bau", "Business as usual"
        BAU_STATUTORY = "bau_statutory", "Business as usual (statutory)"
        MAJOR_PROJECT = "major_project", "Major project"

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DEFERRED = "deferred", "Deferred"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    reference = models.CharField(max_length=20, help_text="Reference ID, e.g. OCE-A1.")
    theme = models.ForeignKey(
        Theme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="actions",
        verbose_name="priority theme",
    )
    title = models.TextField(verbose_name="action")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.BAU)
    accountable_officer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="accountable_actions"
    )
    start_date = models.DateField()
    due_date = models.DateField(verbose_name="completed by date")
    outcome_indicators = models.ManyToManyField(Indicator, blank=True, related_name="plan_actions")
    frequency = models.CharField(
        max_length=10,
        choices=Frequency.choices,
        default=Frequency.QUARTERLY,
        help_text="How often it is monitored.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    completed_on = models.DateField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Why the action is deferred or cancelled.")
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "order", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "reference"],
                name="action_reference_unique_in_plan",
                violation_error_message="This plan already has an action with that reference.",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100),
                name="action_percent_at_most_100",
                violation_error_message="Percent complete is between 0 and 100.",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("start_date")),
                name="action_due_after_start",
                violation_error_message="The completed-by date cannot be before the start date.",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(percent_complete=100, completed_on__isnull=False),
                name="action_completed_is_100_with_date",
                violation_error_message="A completed action is 100 % complete and has a completion date.",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title[:60]}"

    def get_absolute_url(self):
        return reverse("service_plans:action", args=[self.plan_id, self.id])


class ActionUpdate(models.Model):
    """A dated progress update with commentary: at most one per action and month, kept as history."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    month = models.DateField(help_text="First day of the month the update is for.")
    status = models.CharField(max_length=20, choices=Action.Status.choices)
    percent_complete = models.PositiveSmallIntegerField(validators=[MaxValueValidator(100)])
    commentary = models.TextField()
    written_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "month"],
                name="action_update_one_per_month",
                violation_error_message="This action already has a progress update for that month.",
            )
        ]

    def __str__(self):
        return f"{self.action.reference} {self.month:%b %Y}: {self.percent_complete} %"


class RiskMatrix(models.Model):
    """A likelihood × impact matrix with score bands; a version is locked once a risk uses it.

    Score = likelihood × impact. Green below `amber_from`, red from `red_from`, amber between.
    """

    name = models.CharField(max_length=100, default="Corporate risk matrix")
    version = models.PositiveSmallIntegerField(default=1)
    likelihood_levels = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    impact_levels = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    amber_from = models.PositiveSmallIntegerField(default=5)
    red_from = models.PositiveSmallIntegerField(default=15)
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "version"],
                name="risk_matrix_unique_version",
                violation_error_message="This matrix already has that version.",
            ),
            models.CheckConstraint(
                condition=Q(amber_from__gte=1, red_from__gt=F("amber_from")),
                name="risk_matrix_bands_ordered",
                violation_error_message="Amber must start above 1 and red above amber.",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version} ({self.likelihood_levels} × {self.impact_levels})"


class Risk(models.Model):
    """Table 3.2: a risk with inherent, current and target ratings on a matrix."""

    class Escalation(models.TextChoices):
        SERVICE = "service", "Service"
        DMT = "dmt", "DMT"
        CMT = "cmt", "CMT"
        EXECUTIVE = "executive", "Executive"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    reference = models.CharField(max_length=20)
    cause = models.TextField(help_text="Because of … (the cause).")
    event = models.TextField(help_text="… there is a risk that … (the event).")
    consequence = models.TextField(blank=True, help_text="… which would lead to … (the consequence).")
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="risks")
    # Ratings; blank likelihood and impact mean "to be scored" (e.g. imported with a RAG only).
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    inherent_on = models.DateField(null=True, blank=True)
    current_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    current_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    current_on = models.DateField(null=True, blank=True)
    target_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    target_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    target_on = models.DateField(null=True, blank=True, help_text="Date the target rating was set.")
    target_by = models.DateField(null=True, blank=True, verbose_name="date for the target rating")
    target_reason = models.TextField(
        blank=True, help_text="Why the target is not better than the current rating."
    )
    imported_rag = models.CharField(max_length=10, blank=True, help_text="A RAG imported without a score.")
    existing_controls = models.TextField(blank=True)
    mitigation = models.TextField(blank=True, verbose_name="actions to mitigate and correct")
    mitigating_actions = models.ManyToManyField(Action, blank=True, related_name="mitigates_risks")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="plan_risks")
    responsible_officer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="responsible_risks"
    )
    review_date = models.DateField(null=True, blank=True)
    escalation = models.CharField(max_length=12, choices=Escalation.choices, default=Escalation.SERVICE)
    escalation_reason = models.TextField(blank=True)
    exempt = models.BooleanField(default=False, help_text="Exempt from publication: never shown publicly.")
    is_closed = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["plan", "order", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "reference"],
                name="risk_reference_unique_in_plan",
                violation_error_message="This plan already has a risk with that reference.",
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.event[:60]}"

    def get_absolute_url(self):
        return reverse("service_plans:risk", args=[self.plan_id, self.id])


class RiskReview(models.Model):
    """A dated review of a risk: the current rating then, and a note."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField()
    reviewed_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["risk", "-reviewed_on", "-id"]

    def __str__(self):
        return f"{self.risk.reference} reviewed {self.reviewed_on}"


class PlanIndicator(models.Model):
    """Table 3.3: an indicator chosen from the library. Figures are read live, never copied."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="plan_entries")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "indicator__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="plan_indicator_once",
                violation_error_message="This indicator is already in the plan's Table 3.3.",
            )
        ]

    def __str__(self):
        return f"{self.plan}: {self.indicator.reference}"


class PlanTransition(models.Model):
    """One move through the sign-off cycle: who, when, from and to, and the comments (a return's reason)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="transitions")
    version = models.PositiveSmallIntegerField()
    from_status = models.CharField(max_length=20, choices=Plan.Status.choices)
    to_status = models.CharField(max_length=20, choices=Plan.Status.choices)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    is_return = models.BooleanField(default=False)

    class Meta:
        ordering = ["plan", "at", "id"]

    def __str__(self):
        return f"{self.plan}: {self.from_status} → {self.to_status}"


class PlanChange(models.Model):
    """The plan's history: every edit of the plan, its actions, risks and indicators (who, when, why)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveSmallIntegerField()
    subject = models.CharField(max_length=60, help_text='What changed, e.g. "plan", "action OCE-A1".')
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, help_text="{field: [old, new]}")

    class Meta:
        ordering = ["plan", "-at", "-id"]

    def __str__(self):
        return f"{self.plan}: {self.subject} changed"


class PlanVersion(models.Model):
    """A signed-off version of a plan, frozen: the whole plan as it was signed off."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    snapshot = models.JSONField()
    signed_off_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_off_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="plan_version_once",
                violation_error_message="This plan already has that version.",
            )
        ]

    def __str__(self):
        return f"{self.plan} v{self.number}"


class ScrutinyComment(models.Model):
    """A buddy manager's (or reviewer's) scrutiny comment on a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveSmallIntegerField()
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    class Meta:
        ordering = ["plan", "at", "id"]

    def __str__(self):
        return f"Comment on {self.plan}"


class PlanningCalendar(models.Model):
    """The framework's service-planning timeline for one plan year, set by the hub.

    Blank dates fall back to the framework's: templates agreed by CMT in February, drafts by the
    end of April, sign-off by the end of July, the annual review from December (see
    `service_plans.cycle.default_calendar`).
    """

    financial_year = models.PositiveSmallIntegerField(
        unique=True, help_text="The plans' first year, e.g. 2016."
    )
    templates_agreed = models.DateField(null=True, blank=True)
    drafts_due = models.DateField(null=True, blank=True)
    sign_off_due = models.DateField(null=True, blank=True)
    review_from = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-financial_year"]

    def __str__(self):
        return f"Service planning calendar {self.financial_year}/{(self.financial_year + 1) % 100:02d}"


class Objective(models.Model):
    """An individual objective for the year: where the line of sight ends, a person to the Council Plan.

    Linked to the plan actions (or indicators) it serves; read by the person's manager (the head of
    service or director of their scope). No appraisal scores or HR detail.
    """

    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="objectives")
    financial_year = models.PositiveSmallIntegerField()
    text = models.TextField(verbose_name="objective")
    actions = models.ManyToManyField(Action, blank=True, related_name="objectives")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="objectives")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner", "-financial_year", "id"]

    def __str__(self):
        return f"{self.owner}: {self.text[:60]}"


class PlanReminderLog(models.Model):
    """One plan reminder (actions to update, risks to review) sent to one officer in one month."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    actions_count = models.PositiveIntegerField(default=0)
    risks_count = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "month"],
                name="plan_reminder_one_per_user_per_month",
                violation_error_message="This officer has already had this month's plan reminder.",
            )
        ]

    def __str__(self):
        return f"Plan reminder to {self.user_id} for {self.month:%b %Y}"
