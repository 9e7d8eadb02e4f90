"""The organisation and the Council Plan: where every indicator and action sits ("line of sight").

Council Plan → themes → Executive portfolios → directorates → services. This app is the bottom
of the dependency order: indicators, plans, clinics and reports all point at it and it imports
none of them. Each user's role and scope is a `Profile`: rights follow the organisation tree
(the predicates are in `organisation.roles`). The council's reporting date is here too, because
every app measures lateness and "the current period" against it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class CouncilPlan(models.Model):
    name = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField(help_text="First financial year, e.g. 2015 for 2015/16.")
    end_year = models.PositiveSmallIntegerField(help_text="Last financial year, e.g. 2019 for 2019/20.")

    class Meta:
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="council_plan_end_after_start",
                violation_error_message="A Council Plan cannot end before it starts.",
            )
        ]

    def __str__(self):
        return self.name


class Theme(models.Model):
    council_plan = models.ForeignKey(CouncilPlan, on_delete=models.PROTECT, related_name="themes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Portfolio(models.Model):
    """An Executive Member's portfolio."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    executive_member = models.CharField(max_length=200, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="portfolios")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Directorate(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. OCE.")
    director = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Service(models.Model):
    """A service: an Assistant Director portfolio, the unit that keeps a Service Improvement Plan."""

    directorate = models.ForeignKey(Directorate, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    assistant_director = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["directorate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["directorate", "name"],
                name="service_name_unique_in_directorate",
                violation_error_message="This directorate already has a service with that name.",
            )
        ]

    def __str__(self):
        return self.name


class Board(models.Model):
    """A partnership board or scrutiny committee that monitors indicators."""

    PARTNERSHIP = "partnership"
    SCRUTINY = "scrutiny"
    KIND_CHOICES = [(PARTNERSHIP, "Partnership board"), (SCRUTINY, "Scrutiny committee")]

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=KIND_CHOICES, default=PARTNERSHIP)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    """The roles of DOMAIN.md "Who uses it"."""

    OFFICER = "officer", "Data officer"
    HEAD = "head", "Responsible officer / Head of Service"
    DIRECTOR = "director", "Director (DMT)"
    CMT = "cmt", "Corporate Management Team"
    HUB = "hub", "Strategic Intelligence Hub"
    COUNCILLOR = "councillor", "Executive Member"
    SCRUTINY = "scrutiny", "Scrutiny / Partnership Board member"
    AUDITOR = "auditor", "Internal Audit"


class ApprovalNotice(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately: an email for each result submitted"
    DAILY = "daily", "Once a day: one email listing every result waiting"


class Profile(models.Model):
    """A user's role and where in the organisation it applies.

    Scope: a director's is their directorate; a head of service's and a data officer's is their
    service (an officer also enters data only for the indicators assigned to them); a councillor's
    is their portfolio; a scrutiny member's is their board. CMT, the hub and audit see everything.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=200, blank=True)
    directorate = models.ForeignKey(Directorate, null=True, blank=True, on_delete=models.SET_NULL)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.SET_NULL)
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.SET_NULL)
    # How an approver hears of results waiting for them: a mail per submitted result, or one
    # digest a day. The digest's day is kept here so a second run the same day sends nothing.
    approval_notice = models.CharField(
        "Results waiting for your approval",
        max_length=10,
        choices=ApprovalNotice.choices,
        default=ApprovalNotice.IMMEDIATE,
    )
    approval_digest_sent_on = models.DateField(null=True, blank=True, editable=False)

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ReportingCalendar(models.Model):
    """The council's reporting date, set by the hub (one row).

    Returns fall due, and go overdue, against this date. Left blank it is today's date; the
    demo council fixes it at January 2016, the time of the framework's own figures.
    """

    as_of = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(id=1),
                name="reporting_calendar_single_row",
                violation_error_message="The council has one reporting calendar (id 1).",
            )
        ]

    def __str__(self):
        return f"Reporting date: {self.as_of or 'today'}"
