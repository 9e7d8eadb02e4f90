"""Request filters that apply to every page.

Refuse requests whose address or form data contain a NUL character.

No legitimate input has one, and PostgreSQL refuses NUL in text, so letting it reach a query
would turn a typo or a probe into a server error. A 400 page says what was wrong instead.
"""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render

from indicators.periods import canonical_period_key


def _has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    # Only the query string: reading request.POST here would parse uploads before the view can
    # choose its upload handlers. Form fields reject NUL themselves (ProhibitNullCharactersValidator).
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class RejectNulCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
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
