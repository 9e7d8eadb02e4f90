"""/accounts/notifications/: how the signed-in user hears of results waiting for their approval."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from indicators.data_entry.services.notifications import notice_preference_set
from organisation.models import ApprovalNotice


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    profile = getattr(request.user, "profile", None)
    choice = profile.approval_notice if profile else ""
    errors = {}
    status = 200
    if request.method == "POST":
        choice = request.POST.get("approval_notice", "")[:20]
        try:
            notice_preference_set(user=request.user, choice=choice)
        except ValidationError as error:
            errors, status = error.message_dict, 400
        else:
            messages.success(request, "Your email choice is saved.")
            return redirect("data_entry:notifications")
    context = {
        "choices": ApprovalNotice.choices,
        "choice": choice,
        "errors": errors,
        "has_profile": profile is not None,
        "nav_section": "notifications",
    }
    return render(request, "indicators/notifications.html", context, status=status)
