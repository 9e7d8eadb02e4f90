"""Who is calling: a personal token in `Authorization: Bearer …`, or nobody (anonymous).

Anonymous callers read what /public/ shows; a token's holder reads what their role and scope
allow in the pages (the same access functions). A token that is unknown, revoked or expired is a
401, never a silent fall-back to anonymous, so a client notices its token has stopped working.
"""

from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from api import limits, tokens
from api.models import ApiToken


class Caller:
    """The API's view of the request's user: `user` for access checks, `token` when one was used."""

    def __init__(self, user, token: ApiToken | None = None):
        self.user = user
        self.token = token

    def __bool__(self):  # ninja treats a falsy auth result as a failed sign-in
        return True

    @property
    def may_write(self) -> bool:
        return self.token is not None and self.token.scope == ApiToken.Scope.WRITE


def client_address(request) -> str | None:
    # TrustedProxyHeadersMiddleware has already dropped X-Forwarded-For unless a trusted proxy set it.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")


class TokenOrAnonymous(HttpBearer):
    openapi_description = (
        "Optional. A personal API token from your account page (/accounts/api-tokens/), sent as "
        "`Authorization: Bearer kpi_…`. Without one you read published data only."
    )

    def __call__(self, request):
        address = client_address(request)
        header = request.headers.get("Authorization", "")
        if not header:
            limits.hit_address(address)
            request.api_caller = Caller(AnonymousUser())
            return request.api_caller
        caller = super().__call__(request)
        if caller is None:  # a header that is not "Bearer …": a 401, counted against the address
            limits.hit_address(address)
        return caller

    def authenticate(self, request, token: str):
        token_row = tokens.token_for(token)
        if token_row is None:
            limits.hit_address(client_address(request))
            raise AuthenticationError(401, "The API token is unknown, revoked or expired.")
        limits.hit_token(token_row.id)
        tokens.record_use(
            token_row, method=request.method, path=request.get_full_path(), address=client_address(request)
        )
        request.api_caller = Caller(token_row.user, token_row)
        return request.api_caller
