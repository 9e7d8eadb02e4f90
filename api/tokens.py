"""Creating, revoking and checking personal API tokens (the account page and every API call)."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from api.models import ApiToken, ApiTokenUse

TOKEN_PREFIX = "kpi_"
LIFETIMES_DAYS = (30, 90, 365)  # the account page's choices; a token never lives longer than a year


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def is_live(token: ApiToken, now: datetime.datetime) -> bool:
    return token.revoked_at is None and token.expires_at > now


def token_create(*, user, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    if not user.is_authenticated:
        raise PermissionDenied("Sign in to create an API token.")
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Enter what the token is for, e.g. monthly returns feed"
    elif len(name) > 100:
        errors["name"] = "The name must be 100 characters or fewer"
    if scope not in ApiToken.Scope.values:
        errors["scope"] = "Choose read, or read and post results"
    if days not in LIFETIMES_DAYS:
        errors["days"] = "Choose how long the token lasts: 30, 90 or 365 days"
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:12],
        key_hash=hash_key(raw),
        scope=scope,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return token, raw


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens (anyone else's is a 404 to them: see the view)."""
    token = ApiToken.objects.filter(id=token_id, user=user).first()
    if token is None:
        raise PermissionDenied("That token is not yours.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_for(raw: str) -> ApiToken | None:
    """The live token with this secret, or None (unknown, revoked, expired, inactive user)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.select_related("user__profile").filter(key_hash=hash_key(raw)).first()
    if token is None or not is_live(token, timezone.now()) or not token.user.is_active:
        return None
    return token


def record_use(token: ApiToken, *, method: str, path: str, address: str | None) -> None:
    now = timezone.now()
    ApiTokenUse.objects.create(
        token=token, user_id=token.user_id, at=now, method=method[:10], path=path[:500], address=address
    )
    ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    token.last_used_at = now
