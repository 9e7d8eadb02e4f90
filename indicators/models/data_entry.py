"""Data-entry records: double-submit receipts, reminder logs and workbook import batches."""

from django.conf import settings
from django.db import models

from indicators.models.results import Result


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
    """A workbook or CSV import, run as a job: read and previewed, then applied once on confirmation.

    Uploading stores the file and answers at once; a worker reads it (queued → reading →
    previewed) and, once the uploader confirms, writes it (applying → applied, or failed with the
    reason and nothing written). The pages poll `rows_done` of `rows_total`. Kept for audit.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be read"
        READING = "reading", "Reading the file"
        PREVIEWED = "previewed", "Previewed, not yet applied"
        APPLYING = "applying", "Importing"
        APPLIED = "applied", "Applied"
        FAILED = "failed", "Failed, nothing written"

    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="Fingerprint of the uploaded file.")
    kind = models.CharField(max_length=20, help_text="results, table_3_3 or targets.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    plan = models.JSONField(default=dict, blank=True, help_text="What the preview said would be written.")
    summary = models.JSONField(default=dict, blank=True)
    upload = models.BinaryField(
        default=b"", blank=True, editable=False, help_text="The uploaded file, kept until it has been read."
    )
    options = models.JSONField(
        default=dict, blank=True, help_text="How to read it: targets or results, the owning service."
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    messages = models.JSONField(default=list, blank=True, help_text="Why the job failed, in words.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.READING, self.Status.APPLYING)
