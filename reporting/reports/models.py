"""Committee reports, their narrative, history, stored files and the committee calendar.

Imported by `reporting.models`, so the tables belong to the reporting app.

One `Report` row is one version of one report (kind, period, scope). Version 1 is generated as a
draft; a correction to a published version is a new row, version 2, with a change note, and the
published version stays readable as it was. A published row never changes again: its snapshot,
digest, HTML body and files are written once at publication (`services.publish`).
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q

from indicators.models import Indicator, Period
from organisation.models import Board, Directorate
from reporting.reports import kinds


def scope_key(directorate_id: int | None, board_id: int | None, indicator_ids=()) -> str:
    if directorate_id:
        return f"directorate:{directorate_id}"
    if board_id:
        return f"board:{board_id}"
    if indicator_ids:
        # An ad hoc exception report for a set of indicators: the same set is the same report.
        ids = ",".join(str(i) for i in sorted(set(indicator_ids)))
        return f"indicators:{hashlib.sha256(ids.encode()).hexdigest()[:24]}"
    return ""


class Report(models.Model):
    class Kind(models.TextChoices):
        EXECUTIVE = kinds.EXECUTIVE, kinds.KIND_LABELS[kinds.EXECUTIVE]
        CMT = kinds.CMT, kinds.KIND_LABELS[kinds.CMT]
        DMT = kinds.DMT, kinds.KIND_LABELS[kinds.DMT]
        BOARD = kinds.BOARD, kinds.KIND_LABELS[kinds.BOARD]
        YEAR_END = kinds.YEAR_END, kinds.KIND_LABELS[kinds.YEAR_END]
        EXCEPTION = kinds.EXCEPTION_REPORT, kinds.KIND_LABELS[kinds.EXCEPTION_REPORT]

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SIGNED_OFF = "signed_off", "Signed off"
        # Frozen (snapshot, digest and page stored), its PDF and workbook still being rendered by
        # the task: readable once they are stored, as "published".
        PUBLISHING = "publishing", "Publishing"
        PUBLISHED = "published", "Published"

    class Generation(models.TextChoices):
        IDLE = "idle", "Not generated"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Generating"
        DONE = "done", "Generated"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    directorate = models.ForeignKey(
        Directorate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="DMT reports.",
    )
    board = models.ForeignKey(
        Board, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Board reports."
    )
    indicator_set = models.JSONField(
        default=list, blank=True, help_text="Ad hoc exception reports: the indicator ids asked for."
    )
    scope_key = models.CharField(
        max_length=40, blank=True, editable=False, help_text='"", "directorate:<id>" or "board:<id>".'
    )
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    change_note = models.TextField(blank=True, help_text="What version 2 (or later) corrects.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    is_public = models.BooleanField(default=False, help_text="Published on /public/ for anyone to read.")
    meeting = models.ForeignKey(
        "CommitteeMeeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    exempt_sections = models.JSONField(
        default=list, blank=True, help_text="Section keys kept to the internal version only."
    )

    # Generation (a Celery task): what the data said when the draft was last generated.
    data = models.JSONField(default=dict, blank=True)
    as_at = models.DateField(null=True, blank=True, help_text="The reporting date the data was read at.")
    generated_at = models.DateTimeField(null=True, blank=True)
    generation = models.CharField(max_length=10, choices=Generation.choices, default=Generation.IDLE)
    generation_progress = models.PositiveSmallIntegerField(default=0)
    generation_message = models.CharField(max_length=300, blank=True)
    # Publication's files (a Celery task renders the PDFs and workbooks of the frozen snapshot).
    files_progress = models.PositiveSmallIntegerField(default=0)
    files_message = models.CharField(max_length=300, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    # Frozen at publication, never written again.
    snapshot = models.JSONField(null=True, blank=True)
    digest = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the internal snapshot.")
    public_snapshot = models.JSONField(null=True, blank=True)
    public_digest = models.CharField(max_length=64, blank=True)
    html = models.TextField(blank=True, help_text="The internal report body as published.")
    public_html = models.TextField(blank=True, help_text="The public report body as published.")

    class Meta:
        ordering = ["-period__start", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "scope_key", "version"],
                name="report_unique_version",
                violation_error_message="That report already has this version.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=kinds.DMT) | Q(directorate__isnull=False),
                name="report_dmt_has_directorate",
                violation_error_message="A DMT report is for a directorate.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=kinds.BOARD) | Q(board__isnull=False),
                name="report_board_has_board",
                violation_error_message="A board report is for a board.",
            ),
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"

    def save(self, *args, **kwargs):
        self.scope_key = scope_key(self.directorate_id, self.board_id, self.indicator_set)
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        scope = self.directorate or self.board
        base = kinds.KIND_LABELS[self.kind]
        if scope is None and self.indicator_set:
            count = len(self.indicator_set)
            return f"{base}: {count} indicator{'s' if count != 1 else ''}, {self.period.label}"
        return f"{base}: {scope.name}, {self.period.label}" if scope else f"{base}, {self.period.label}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class NarrativeItem(models.Model):
    """A piece of the report's words: the summary, a section's, or an exception indicator's."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="narrative")
    slot = models.CharField(
        max_length=120,
        help_text='"summary", "section:<key>", "exception:<reference>" or "plausibility:<reference>".',
    )
    text = models.TextField(help_text="Plain text with simple Markdown formatting; no HTML.")
    exempt = models.BooleanField(default=False, help_text="Internal version only (e.g. names staff).")
    judgement = models.CharField(
        max_length=24,
        blank=True,
        choices=[
            ("plausible", "Plausible"),
            ("not_plausible", "Not plausible"),
            ("insufficient_evidence", "Insufficient evidence"),
        ],
        help_text="A year-end plausibility slot's judgement of its strategic action.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    written_at = models.DateTimeField()
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["report", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "slot"],
                name="narrative_unique_slot",
                violation_error_message="This report already has narrative for that part.",
            )
        ]

    def __str__(self):
        return f"{self.report_id} {self.slot}"


class ReportEvent(models.Model):
    """History: who did what to a report, when and why. Never edited."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.report_id} {self.action} at {self.at}"


class ReportFile(models.Model):
    """A file made at publication (PDF or .xlsx, internal or public): the same bytes for ever."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel workbook"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="files")
    audience = models.CharField(max_length=10, choices=[("internal", "Internal"), ("public", "Public")])
    format = models.CharField(max_length=10, choices=Format.choices)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["report", "audience", "format"],
                name="report_file_unique",
                violation_error_message="That file has already been made for this report.",
            )
        ]

    def __str__(self):
        return f"{self.report_id} {self.audience}.{self.format}"


class CommitteeMeeting(models.Model):
    """A meeting a report kind goes to; its deadlines are worked back from the date."""

    kind = models.CharField(max_length=20, choices=Report.Kind.choices)
    date = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    directorate = models.ForeignKey(
        Directorate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    narrative_due = models.DateField(editable=False)
    sign_off_due = models.DateField(editable=False)
    reminded_on = models.DateField(null=True, blank=True, help_text="When authors were last reminded.")

    class Meta:
        ordering = ["date", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()} meeting {self.date}"

    def save(self, *args, **kwargs):
        deadlines = kinds.deadlines_for(self.date)
        self.narrative_due, self.sign_off_due = deadlines.narrative_due, deadlines.sign_off_due
        super().save(*args, **kwargs)


# --- Returns to central government (the single data list) -----------------------------------


class Collection(models.Model):
    """A data collection returned to central government (a line of the single data list)."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        ANNUAL = "annual", "Annual"

    name = models.CharField(max_length=200, unique=True)
    department = models.CharField(max_length=200, help_text="The department that collects it.")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="collections")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CollectionReturn(models.Model):
    """One return of a collection for a period: due → prepared → checked → submitted."""

    class Status(models.TextChoices):
        DUE = "due", "Due"
        PREPARED = "prepared", "Prepared"
        CHECKED = "checked", "Checked"
        SUBMITTED = "submitted", "Submitted"

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="returns")
    # Cascade (not protect): a return belongs to its period; periods are not deleted in use.
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_file = models.BinaryField(null=True, blank=True, help_text="The file submitted, kept.")
    submitted_filename = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_date", "collection__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "period"],
                name="collection_return_unique",
                violation_error_message="This collection already has a return for that period.",
            )
        ]

    def __str__(self):
        return f"{self.collection} {self.period_id}"


# --- Boards' annual delivery plans ----------------------------------------------------------


class DeliveryPlan(models.Model):
    """A partnership board's or scrutiny committee's annual delivery plan for a financial year:
    its priorities, each with an owner, a due date, a status and a progress note. Kept by the hub
    or the board's own members (`organisation.roles.may_keep_delivery_plan`); every change is in
    `DeliveryPlanChange` (who, when, what and why). The board report shows it beside the changes
    its indicators' remedial plans agreed to make to it (`clinics.RemedialPlan.delivery_plan_changes`).
    """

    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="delivery_plans")
    year = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="+", limit_choices_to={"kind": "year"}
    )
    summary = models.TextField(blank=True, help_text="What the plan is for, in a sentence or two.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["board__name", "-year__start"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "year"],
                name="delivery_plan_unique_year",
                violation_error_message="This board already has a delivery plan for that year.",
            )
        ]

    def __str__(self):
        return f"{self.board.name}: annual delivery plan {self.year.label}"


class DeliveryPlanItem(models.Model):
    """One priority of an annual delivery plan."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        ON_TRACK = "on_track", "On track"
        AT_RISK = "at_risk", "At risk"
        OFF_TRACK = "off_track", "Off track"
        COMPLETE = "complete", "Complete"
        DROPPED = "dropped", "Dropped"

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300, help_text="The priority, as the board agreed it.")
    owner = models.CharField(
        max_length=200, help_text="Who answers for it (a partner's officer need not be a portal user)."
    )
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    progress_note = models.TextField(blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "order", "id"]

    def __str__(self):
        return self.title


class DeliveryPlanChange(models.Model):
    """History of a delivery plan: who changed what, when and why. Never edited."""

    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="changes")
    item = models.ForeignKey(
        DeliveryPlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="changes"
    )
    action = models.CharField(max_length=20)
    changes = models.JSONField(default=dict, blank=True, help_text="field → [old, new]")
    reason = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.plan_id} {self.action} at {self.at}"
