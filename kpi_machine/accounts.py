"""Signing in (with the second step for a two-factor code) and the user's own account page, where
two-factor sign-in is turned on and off. The rules are in kpi_machine.two_factor."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import DEVICE_ID_SESSION_KEY

from kpi_machine import two_factor
from organisation.roles import role_of

WRONG_CODE = "The code is not right. Enter the 6-digit code your authenticator app shows now."


class SignInForm(AuthenticationForm):
    """Django's sign-in form sets the username's max_length after the field is built, so the
    length is never validated: a 2,000-character name went on to django-axes, whose record of the
    failure (a 255-character column) failed on PostgreSQL with a 500. Here it is a message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class SignInView(auth_views.LoginView):
    """The password step. An account with a two-factor device is not signed in yet: it waits
    in the session for its code (sign_in_code)."""

    authentication_form = SignInForm

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        two_factor.start_pending(self.request, user, self.get_success_url())
        return redirect("login-code")


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    found = two_factor.pending(request)
    if found is None:
        messages.info(request, "Sign in with your password first (the code must follow within 5 minutes).")
        return redirect("login")
    user, data = found
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        two_factor.end_pending(request)
        return get_lockout_response(request, None, credentials)
    device = two_factor.confirmed_device(user)
    if device is None:
        two_factor.end_pending(request)
        return redirect("login")
    error = None
    if request.method == "POST":
        if two_factor.check_code(request, user, device, request.POST.get("code", "")):
            two_factor.end_pending(request)
            login(request, user, backend=data["backend"])
            two_factor.verify_session(request, device)
            return redirect(data["next"])
        if getattr(request, "axes_locked_out", False):
            two_factor.end_pending(request)  # AxesMiddleware answers with the locked page
        error = WRONG_CODE
    return render(request, "registration/login_code.html", {"error": error}, status=200)


@login_required
@require_http_methods(["GET"])
def account(request):
    device = two_factor.confirmed_device(request.user)
    return render(
        request,
        "registration/account.html",
        {
            "device": device,
            "role": role_of(request.user),
            "may_remove": two_factor.may_remove(request.user),
        },
    )


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    if two_factor.confirmed_device(request.user) is not None:
        messages.info(request, "Two-factor sign-in is already on.")
        return redirect("account")
    device = two_factor.unconfirmed_device(request.user)
    error = None
    if request.method == "POST":
        code = two_factor.clean_code(request.POST.get("code", ""))
        if code is not None and device.verify_is_allowed()[0] and device.verify_token(code):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            two_factor.verify_session(request, device)
            messages.success(
                request, "Two-factor sign-in is on: you will be asked for a code each time you sign in."
            )
            return redirect(_safe_next(request) or "account")
        error = WRONG_CODE
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "qr_code": two_factor.qr_code_svg(device),
            "secret": two_factor.secret_for_typing(device),
            "error": error,
            "next": _safe_next(request) or "",
        },
    )


@login_required
@require_POST
def remove(request):
    device = two_factor.confirmed_device(request.user)
    if device is None:
        return redirect("account")
    if not two_factor.may_remove(request.user):
        messages.error(request, "Two-factor sign-in is required for your role, so it cannot be turned off.")
        return redirect("account")
    if not two_factor.check_code(request, request.user, device, request.POST.get("code", "")):
        if getattr(request, "axes_locked_out", False):
            return get_lockout_response(request, None, {"username": request.user.get_username()})
        return render(
            request,
            "registration/account.html",
            {"device": device, "role": role_of(request.user), "may_remove": True, "error": WRONG_CODE},
        )
    request.user.totpdevice_set.all().delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("account")
