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
