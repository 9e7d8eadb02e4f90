"""The hub's page of locked sign-ins (django-axes): who is locked out, and a button to unlock."""

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from organisation.roles import is_hub


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request):
    if not is_hub(request.user):
        raise PermissionDenied("Unlocking sign-ins is for the Strategic Intelligence Hub.")
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        ip_address = request.POST.get("ip_address", "")[:45]
        if username:
            count = reset(username=username)
            messages.success(request, f"Unlocked the account {username} ({count} record(s) cleared).")
        elif ip_address:
            count = reset(ip=ip_address)
            messages.success(request, f"Unlocked the address {ip_address} ({count} record(s) cleared).")
        return redirect("lockouts")
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time"
    )[:200]
    return render(
        request,
        "registration/lockouts.html",
        {"attempts": list(attempts), "limit": settings.AXES_FAILURE_LIMIT},
    )
