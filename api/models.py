"""Personal API tokens and the log of every request made with one.

A token's secret is shown once, when it is created; only its SHA-256 is stored, so a copy of the
database cannot be used to call the API. Tokens expire and can be revoked on the account page.
"""

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Read and post results"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “monthly returns feed”.")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to recognise it by.")
    key_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret.")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} {self.prefix}… ({self.name})"


class ApiTokenUse(models.Model):
    """Who called the API with which token, when, and for what path. Never edited."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["token", "-at"], name="api_token_use_recent")]

    def __str__(self):
        return f"{self.user} {self.method} {self.path} at {self.at:%Y-%m-%d %H:%M}"
