"""The hub's view of personal API tokens and their use log: read-only (tokens are created and
revoked by their owners on the account page; the log is never edited)."""

from django.contrib import admin

from api.models import ApiToken, ApiTokenUse
from indicators.admin import ReadOnlyAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["scope"]
    search_fields = ["user__username", "name", "prefix"]
    exclude = ["key_hash"]


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "method", "path", "address"]
    search_fields = ["user__username", "path"]
    list_select_related = ["user"]
