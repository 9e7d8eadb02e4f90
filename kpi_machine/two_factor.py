"""Two-factor sign-in (issue 11, item 12): an authenticator app's time-based codes (TOTP, with
django-otp) for anyone who turns it on, required for the hub and the admin when a setting says so.

Signing in with a device is two steps: the password (throttled by django-axes) puts the account
in the session as *pending*, not signed in; the code then signs it in. A wrong code is reported
to django-axes as a failed sign-in for that account, so codes and passwords share one lockout,
and the device's own back-off (django-otp's throttling) slows guessing further.
"""

import time

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from organisation.roles import is_hub

PENDING_KEY = "kpi_two_factor_pending"
# The code must follow the password within this many seconds.
PENDING_SECONDS = 300
DEVICE_NAME = "Authenticator app"
CODE_DIGITS = 6


def confirmed_device(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_device(user) -> TOTPDevice:
    """The device being enrolled: kept until confirmed with a code, so reloading the page shows
    the same QR code the user may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The provisioning address as an inline SVG (no image library, no style attribute)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, border=4, dark="#0b0c0c", light="#ffffff", title="QR code for your authenticator app"
    )


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32 in groups of four, for apps where the code cannot be scanned."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def clean_code(raw: str) -> str | None:
    """Digits only (spaces and dashes allowed between them), exactly six; else None."""
    code = (raw or "").replace(" ", "").replace("-", "")[:20]
    return code if len(code) == CODE_DIGITS and code.isascii() and code.isdigit() else None


def check_code(request, user, device: TOTPDevice, raw: str) -> bool:
    """Verify a code; a wrong one counts as a failed sign-in for django-axes (the lockout)."""
    code = clean_code(raw)
    if code is not None and device.verify_is_allowed()[0] and device.verify_token(code):
        return True
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return False


def verify_session(request, device: TOTPDevice) -> None:
    otp_login(request, device)


def required_for(user, path: str) -> bool:
    """Whether this signed-in user must have passed a second factor to open `path`."""
    if not user.is_authenticated:
        return False
    if settings.KPI_REQUIRE_2FA_FOR_ADMIN and path.startswith("/admin/"):
        return True
    return bool(settings.KPI_REQUIRE_2FA_FOR_HUB and is_hub(user))


def may_remove(user) -> bool:
    """Removing the second factor is refused where it is required (the hub, admin staff)."""
    if settings.KPI_REQUIRE_2FA_FOR_HUB and is_hub(user):
        return False
    return not (settings.KPI_REQUIRE_2FA_FOR_ADMIN and user.is_staff)


# --- the pending sign-in between the password and the code ------------------------------------


def start_pending(request, user, redirect_to: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "next": redirect_to,
        "at": int(time.time()),
    }


def pending(request) -> tuple[object, dict] | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or int(time.time()) - int(data.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    return (user, data) if user is not None else None


def end_pending(request) -> None:
    request.session.pop(PENDING_KEY, None)
