"""Request filters that apply to every page.

Refuse requests whose address, query string or body (form fields, uploaded file names, JSON)
contain a NUL character.

No legitimate input has one, and PostgreSQL refuses NUL in text, so letting it reach a query
would turn a typo or a probe into a server error. A 400 page says what was wrong instead.
"""

import gzip
import secrets

from django.http import HttpResponsePermanentRedirect
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from api.problems import is_api_path, problem_response
from indicators.periods import canonical_period_key


def _lists_have_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in str(v) for v in values) for key, values in query.lists())


def _body_has_nul(request) -> bool:
    """A NUL in a form field or an uploaded file's name, or anywhere in a JSON or text body.

    Reading request.POST here is what CsrfViewMiddleware does next anyway (no view sets its own
    upload handlers); a body Django cannot parse is left for the view to refuse as before.
    """
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    try:
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if is_api_path(request.path):
                # The API reads `request.body` itself (a form post there is refused as not JSON):
                # read it first so it is kept, since parsing POST from the stream would use it up.
                request.body  # noqa: B018
            if _lists_have_nul(request.POST):
                return True
            return any("\x00" in (f.name or "") for _, files in request.FILES.lists() for f in files)
        body = request.body
    except Exception:  # noqa: BLE001  (too big, malformed multipart: Django answers 400 itself)
        return False
    return b"\x00" in body or (content_type.endswith("json") and b"\\u0000" in body)


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    return _lists_have_nul(request.GET) or _body_has_nul(request)


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if is_api_path(request.path):
                return problem_response(
                    400, "The address or body contained a NUL character, which is never valid."
                )
            return render(
                request,
                "400.html",
                {
                    "reason": "The address or form contained a NUL character, which is never valid. Remove it and try again."
                },
                status=400,
            )
        return self.get_response(request)


class LegacyPeriodKeyRedirectMiddleware:
    """`?period=` in an earlier form ("dec-2015", "month-2015-12-01", "month-2015-12") answers
    a permanent redirect to the same address with the one current key ("2015-12"), so bookmarks
    and links in old committee papers keep working. Only GET and HEAD: a form post is never
    redirected, since that would drop what the user typed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.GET.get("period")
        if raw and request.method in ("GET", "HEAD"):
            key = canonical_period_key(raw)
            if key and key != raw:
                query = request.GET.copy()
                query["period"] = key
                return HttpResponsePermanentRedirect(f"{request.path}?{query.urlencode()}")
        return self.get_response(request)


class TrustedProxyHeadersMiddleware:
    """X-Forwarded-Proto and X-Forwarded-For are believed only from the proxies that
    KPI_TRUSTED_PROXIES names; from anyone else they are dropped before anything reads them
    (SECURE_PROXY_SSL_HEADER, the sign-in throttle's client address)."""

    HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST")

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.trusted = set(settings.KPI_TRUSTED_PROXIES)

    def __call__(self, request):
        if request.META.get("REMOTE_ADDR") not in self.trusted:
            for header in self.HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


def start_idle_clock(sender, request, user, **kwargs) -> None:
    """On sign-in: the session's last activity is now (saved with the new session)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[IdleSessionTimeoutMiddleware.KEY] = int(time.time())


class IdleSessionTimeoutMiddleware:
    """Sign a user out after KPI_SESSION_IDLE_MINUTES without a request.

    The time of the last request is kept in the session, rewritten at most once a minute so
    that most requests write nothing; the session's own expiry (SESSION_COOKIE_AGE, the same
    time) slides with it.
    """

    KEY = "kpi_last_seen"
    WRITE_EVERY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(self.KEY)
            if last_seen is not None and now - last_seen > settings.KPI_SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {settings.KPI_SESSION_IDLE_MINUTES} minutes without "
                    "activity. Sign in again to carry on.",
                )
                return redirect_to_login(request.get_full_path())
            if last_seen is None or now - last_seen >= self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)


class PrivatePagesNotCachedMiddleware:
    """Everything a signed-in user is sent (pages, exports, fragments) carries
    `Cache-Control: private, no-store`: no shared cache or browser history keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class TwoFactorRequiredMiddleware:
    """Where a setting requires a second factor (KPI_REQUIRE_2FA_FOR_HUB, KPI_REQUIRE_2FA_FOR_ADMIN),
    a signed-in user who has not passed one is sent to turn it on, or, with a device already, to
    sign in again with its code. After django-otp's OTPMiddleware, which sets `is_verified()`."""

    EXEMPT_NAMES = ("login", "login-code", "logout", "account", "two-factor-enrol")

    def __init__(self, get_response):
        self.get_response = get_response
        self._exempt: set[str] | None = None

    def exempt(self, path: str) -> bool:
        from django.conf import settings
        from django.urls import reverse

        if self._exempt is None:
            self._exempt = {reverse(name) for name in self.EXEMPT_NAMES} | {"/admin/login/", "/admin/logout/"}
        return path in self._exempt or path.startswith(settings.STATIC_URL)

    def __call__(self, request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        from kpi_machine import two_factor

        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor.required_for(user, request.path)
            and not user.is_verified()
            and not self.exempt(request.path)
        ):
            if two_factor.confirmed_device(user) is not None:
                logout(request)
                messages.info(request, "Sign in again with your two-factor code to open this page.")
                return redirect_to_login(request.get_full_path())
            messages.info(request, "Your role needs two-factor sign-in: turn it on to carry on.")
            return redirect(f"{reverse('two-factor-enrol')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _gzipped(content: bytes, max_random_bytes: int) -> bytes:
    """`django.utils.text.compress_string` at zlib level 1: the same gzip stream and the same
    BREACH padding (a file name of a random length, 0 to ``max_random_bytes - 1``, in the header)."""
    compressed = memoryview(gzip.compress(content, compresslevel=1, mtime=0))
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + compressed[10:]


class QuickGZipMiddleware(GZipMiddleware):
    """Django's `GZipMiddleware`, compressing whole pages at zlib level 1 instead of 6.

    Issue 12: level 6 took 6.8 ms of the CMT scorecard's 90 ms to bring its 1 MB of HTML to 69 KB;
    level 1 takes 2.8 ms for 100 KB (nginx's default level is 1 too). Everything else is
    Django's: streaming responses (downloads) go to it unchanged, and so does any response it
    would not compress (short, already encoded, not accepted); the Vary header, the weakened ETag
    and the BREACH padding are the same.
    """

    def process_response(self, request, response):
        if response.streaming or len(response.content) < 200 or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = _gzipped(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
