"""Performance clinics and remedial plans (DOMAIN.md "Performance clinics and remedial plans").

A clinic is requested for one or more indicators, scheduled with a chair and attendees, held
(its record answers the framework's guiding questions and takes a decision) and may agree a
remedial plan per indicator: actions with owners and dates, how recovery is monitored, and a
trajectory (an expected result per period to the recovery date) that each new result is judged
against until the plan is closed. Tables and constraints only: the rules are in
`clinics.rules` and `clinics.trajectory` (pure), the writes in `clinics.services`.

Every change worth answering for is a `ClinicEvent` row: who, when, what and why.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.models import Indicator, Period, Target
from service_plans.models import Action, Risk

USER = settings.AUTH_USER_MODEL


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine: at the next quarterly round"
    SOON = "soon", "Soon: within a month"
    URGENT = "urgent", "Urgent: within two weeks"


class RequestSource(models.TextChoices):
    """Where the request was made from (a link carries it, with the period, in the query)."""

    INDICATOR = "indicator", "Indicator page"
    EXCEPTION_LIST = "exception_list", "Exception list"
    SCORECARD = "scorecard", "Scorecard"
    SUGGESTION = "suggestion", "Clinic suggested by the portal"
    PLAN_ACTION = "plan_action", "Service Improvement Plan action"
    RISK = "risk", "Service Improvement Plan risk"
    OTHER = "other", "Other"


class Clinic(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Decision(models.TextChoices):
        NO_ACTION = "no_action", "No action needed: performance recognised"
        MORE_FREQUENT_UPDATES = "more_frequent_updates", "More frequent updates"
        SHIFT_RESOURCES = "shift_resources", "Shift resources"
        MISLEADING = "misleading", "The indicator is misleading: review its definition"
        REMEDIAL_PLAN = "remedial_plan", "Agree a remedial plan"

    indicators = models.ManyToManyField(Indicator, related_name="clinics")
    reason = models.TextField(help_text="Why the clinic is needed.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    source = models.CharField(max_length=20, choices=RequestSource.choices, default=RequestSource.INDICATOR)
    source_period = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The period the request was made about (e.g. the exception list's period).",
    )
    # A request made from a Service Improvement Plan action or risk keeps where it came from.
    source_action = models.ForeignKey(
        Action,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinics",
        help_text="The plan action the clinic was requested from.",
    )
    source_risk = models.ForeignKey(
        Risk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clinics",
        help_text="The plan risk the clinic was requested from.",
    )
    requested_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)

    # Schedule.
    date = models.DateField(null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    place = models.CharField(max_length=300, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Calendar UID.")
    sequence = models.PositiveIntegerField(default=0, help_text="Calendar SEQUENCE: bumped when moved.")
    cancelled_reason = models.TextField(blank=True)

    # The record (the framework's guiding questions, minutes and decision).
    held_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    minutes = models.TextField(blank=True)
    answer_targets = models.TextField(
        blank=True, verbose_name="Have targets been met, will this continue and the reasons behind this?"
    )
    answer_turnaround = models.TextField(
        blank=True,
        verbose_name="If performance is poor, what can be done to turn it around: is it a capacity or "
        "capability issue?",
    )
    answer_resources = models.TextField(
        blank=True, verbose_name="Is there an opportunity to prioritise recovery or shift resources?"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_note = models.TextField(
        blank=True, help_text="The reason (required for a misleading indicator)."
    )
    monitor_monthly_until = models.DateField(
        null=True, blank=True, help_text="More frequent updates: reported monthly until this date."
    )
    pack = models.JSONField(
        default=dict, blank=True, help_text="The pack as it stood when the clinic was held (frozen)."
    )

    # A misleading indicator's definition review (opened by that decision), closed by the hub.
    review_closed_at = models.DateTimeField(null=True, blank=True)
    review_closed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_outcome = models.TextField(blank=True, help_text="What the definition review decided.")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True)
                | Q(start_time__isnull=True)
                | Q(end_time__gt=models.F("start_time")),
                name="clinic_ends_after_it_starts",
                violation_error_message="A clinic must end after it starts.",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(date__isnull=False, start_time__isnull=False),
                name="clinic_scheduled_has_date",
                violation_error_message="A scheduled clinic needs a date and a start time.",
            ),
        ]

    def __str__(self):
        return f"Clinic {self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.SCHEDULED)

    @property
    def opens_definition_review(self) -> bool:
        return self.status == self.Status.HELD and self.decision == self.Decision.MISLEADING


class Attendee(models.Model):
    """Someone invited to a clinic, with their role there. People without an account are a name
    and an email address: being named gives them no access to the portal."""

    class ClinicRole(models.TextChoices):
        CHAIR = "chair", "Chair"
        HEAD_OF_SERVICE = "head_of_service", "Head of Service"
        OPERATIONAL = "operational", "Operational staff"
        HUB_LEAD = "hub_lead", "Strategic Intelligence Hub lead"
        BOARD_MEMBER = "board_member", "Board member"
        EXTERNAL = "external", "External expert or adviser"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="attendees")
    # CASCADE: an attendee row without its account would be neither a user nor a named person.
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=20, choices=ClinicRole.choices)

    class Meta:
        ordering = ["clinic", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | (~Q(name="") & ~Q(email="")),
                name="attendee_account_or_name_and_email",
                violation_error_message="An attendee without an account needs a name and an email address.",
            ),
            models.UniqueConstraint(
                fields=["clinic"],
                condition=Q(role="chair"),
                name="clinic_one_chair",
                violation_error_message="A clinic has one chair.",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return self.name

    @property
    def address(self) -> str:
        return self.user.email if self.user_id else self.email


class SuggestionDecision(models.Model):
    """The hub's answer to a clinic the portal suggested for an indicator as of a period.

    Suggestions themselves are computed from stored assessments (`clinics.suggestions`); only the
    decision is stored, so a dismissed suggestion is not suggested again for that period.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "Accepted: clinic requested"
        DISMISSED = "dismissed", "Dismissed"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    reasons = models.JSONField(default=list, help_text="The suggestion rules that applied.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.TextField()
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="suggestion_decided_once",
                violation_error_message="This suggestion has already been accepted or dismissed.",
            )
        ]

    def __str__(self):
        return f"{self.indicator_id} {self.period_id}: {self.outcome}"


class RemedialPlan(models.Model):
    """A recovery plan for one indicator, agreed at a clinic, signed off by the Executive Member for
    the portfolio and by CMT, then tracked period by period against its trajectory until closed."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RETURNED = "returned", "Returned for changes"
        SIGNED_OFF = "signed_off", "Signed off: being tracked"
        CLOSED = "closed", "Closed"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    class Closure(models.TextChoices):
        RECOVERED = "recovered", "Recovered: back on track"
        SUPERSEDED = "superseded", "Superseded"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="remedial_plans")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="remedial_plans")
    owner = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    monitoring = models.TextField(help_text="How the recovery will be monitored.")
    monitoring_frequency = models.CharField(max_length=10, choices=Frequency.choices)
    delivery_plan_changes = models.TextField(blank=True, help_text="Changes to the annual delivery plan.")
    recovery_criteria = models.TextField(help_text="When the plan counts as recovered and may be closed.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    member_signed_off_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_signed_off_at = models.DateTimeField(null=True, blank=True)
    cmt_signed_off_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cmt_signed_off_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True)
    closure = models.CharField(max_length=12, choices=Closure.choices, blank=True)
    closing_note = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    off_track_notified_for = models.ForeignKey(
        Period,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The period whose second consecutive off-trajectory result was notified.",
    )
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "indicator"],
                name="remedial_plan_one_per_clinic_indicator",
                violation_error_message="This clinic already has a remedial plan for that indicator.",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closure=""),
                name="remedial_plan_closed_with_closure",
                violation_error_message="A closed plan says whether it recovered or was superseded.",
            ),
        ]

    def __str__(self):
        return f"Remedial plan {self.id} for {self.indicator_id}"

    @property
    def is_signed_off(self) -> bool:
        return self.member_signed_off_at is not None and self.cmt_signed_off_at is not None


class TrajectoryPoint(models.Model):
    """The result a remedial plan expects for one period.

    The plan keeps its own values here for ever (a superseded or closed plan's history stays
    readable); while the plan is signed off and tracked, each point is also the indicator's
    target of kind "trajectory" (`target`, DOMAIN.md "Results and targets"). Only one live plan
    holds an indicator's trajectory target for a period: a later plan signed off for the same
    periods takes them over, and a closed plan gives them up (`clinics.services`).
    """

    plan = models.ForeignKey(RemedialPlan, on_delete=models.CASCADE, related_name="trajectory")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    expected = models.DecimalField(max_digits=18, decimal_places=4)
    target = models.OneToOneField(
        Target,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trajectory_point",
        help_text="The indicator's trajectory target while this plan holds it.",
    )

    class Meta:
        ordering = ["plan", "period__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period"],
                name="trajectory_one_value_per_period",
                violation_error_message="The trajectory already has a value for that period.",
            )
        ]

    def __str__(self):
        return f"{self.plan_id} {self.period_id}: {self.expected}"


class RemedialAction(models.Model):
    """An action of a remedial plan, with its owner, date and progress.

    It may be an action of the service's Improvement Plan (`plan_action`): one chosen from the
    plan, or added to it as a new action when the remedial plan is agreed, so the recovery work
    shows in Table 3.1 and the line of sight.
    """

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"

    plan = models.ForeignKey(RemedialPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    due = models.DateField()
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    progress_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    plan_action = models.ForeignKey(
        Action,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="remedial_actions",
        help_text="The Service Improvement Plan action this is (linked or added to the plan).",
    )

    class Meta:
        ordering = ["plan", "due", "id"]

    def __str__(self):
        return self.description[:60]


EVENT_LABELS = {
    "requested": "Clinic requested",
    "scheduled": "Clinic scheduled, invitations sent",
    "moved": "Clinic moved, updates sent",
    "cancelled": "Clinic cancelled",
    "held": "Clinic held and recorded",
    "plan_drafted": "Remedial plan drafted",
    "signed_off_member": "Signed off by the Executive Member",
    "signed_off_cmt": "Signed off by CMT",
    "returned": "Remedial plan returned",
    "resubmitted": "Remedial plan resubmitted",
    "action_updated": "Action progress updated",
    "off_track_notified": "Off trajectory two periods running: owner and hub notified",
    "closed": "Remedial plan closed",
    "definition_review_closed": "Definition review closed",
    "plan_revised": "Remedial plan revised and resubmitted",
    "trajectory_taken_over": "Trajectory taken over by a later remedial plan",
}


class ClinicEvent(models.Model):
    """The history of a clinic and its remedial plans: who did what, when and why. Never edited."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="events")
    plan = models.ForeignKey(
        RemedialPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.clinic_id} {self.action} at {self.at}"

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)
