"""Pages: the API reference (rendered on the server from the OpenAPI document: no script, no CDN)
and the account page where staff create and revoke their personal API tokens."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.models import ApiToken
from api.problems import problem_response


def reference_operations(schema: dict) -> list[dict]:
    """Each operation of the OpenAPI document as the reference page lists it (pure)."""
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or ["Other"])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _type_words(p.get("schema", {})),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": sorted(op.get("responses", {})),
                }
            )
    tags = {}
    for op in operations:
        tags.setdefault(op["tag"], []).append(op)
    return [{"tag": tag, "operations": ops} for tag, ops in tags.items()]


def _type_words(schema: dict) -> str:
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    if "anyOf" in schema:
        return " or ".join(_type_words(s) for s in schema["anyOf"] if s.get("type") != "null")
    return schema.get("type", "")


def docs(request):
    from api.api import api

    return render(
        request,
        "api/docs.html",
        {"groups": reference_operations(api.get_openapi_schema(path_prefix="/api/v1")), "nav_section": ""},
    )


def not_found(request, rest=""):
    return problem_response(404, "There is no such API address: see /api/v1/docs/ for the list.")


@login_required
@require_http_methods(["GET", "POST"])
def token_page(request):
    errors, new_secret, values = {}, None, {"name": "", "scope": ApiToken.Scope.READ, "days": "90"}
    if request.method == "POST":
        values = {k: request.POST.get(k, "")[:200] for k in values}
        try:
            days = int(values["days"])
        except ValueError:
            days = 0
        try:
            token, new_secret = tokens.token_create(
                user=request.user, name=values["name"], scope=values["scope"], days=days
            )
            values = {"name": "", "scope": ApiToken.Scope.READ, "days": "90"}
        except ValidationError as error:
            errors = error.message_dict
    own = list(ApiToken.objects.filter(user=request.user).order_by("-created_at")[:50])
    now = timezone.now()
    for token in own:
        token.state = "Revoked" if token.revoked_at else ("Expired" if token.expires_at <= now else "Live")
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": own,
            "errors": errors,
            "new_secret": new_secret,
            "values": values,
            "scopes": ApiToken.Scope.choices,
            "lifetimes": tokens.LIFETIMES_DAYS,
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        tokens.token_revoke(user=request.user, token_id=token_id)
    except PermissionDenied:
        raise Http404("No such token.") from None
    return redirect("api_tokens")
