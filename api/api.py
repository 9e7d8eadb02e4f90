"""The API object: /api/v1/, its OpenAPI 3.1 document, and problem details for every error."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import conditional_page
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api.auth import TokenOrAnonymous
from api.limits import RateLimited
from api.problems import problem_response
from api.routes import clinics, indicators, plans, reports, results, scorecards  # noqa: F401 (results adds to indicators)


class KpiApi(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_media_types(super().get_openapi_schema(*args, **kwargs))


def document_media_types(schema: dict) -> dict:
    """Errors are documented as application/problem+json, tables that take `format=csv` as
    text/csv as well, and every GET as answering 304 to a matching If-None-Match."""
    for methods in schema.get("paths", {}).values():
        for method, operation in methods.items():
            responses = operation.get("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
            params = {p["name"] for p in operation.get("parameters", [])}
            ok = responses.get(200) or responses.get("200")
            if "format" in params and ok:
                ok.setdefault("content", {})["text/csv"] = {"schema": {"type": "string"}}
            if method == "get":
                responses.setdefault(
                    304, {"description": "Not modified since the ETag sent in If-None-Match"}
                )
    return schema


api = KpiApi(
    title="KPI Machine API",
    version="1",
    description=(
        "Indicators, results, assessments, targets, scorecards, exception lists, Service Improvement "
        "Plans, clinics and published reports. Without a token: published data only, as on /public/. "
        "With a personal token (your account page, /accounts/api-tokens/): what your role and scope "
        "show you in the portal. Errors are RFC 9457 problem details."
    ),
    auth=TokenOrAnonymous(),
    urls_namespace="api",
    docs_url=None,  # the portal's own reference page (api.views.docs) replaces the CDN Swagger UI
    openapi_url="/openapi.json",
)
for module in (indicators, scorecards, plans, clinics, reports):
    api.add_router("/", module.router)


def _errors_from_ninja(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        location = [str(part) for part in error.get("loc", []) if part not in ("query", "body", "path")]
        # Query schemas nest their fields under the parameter's own name: keep the field.
        name = location[-1] if location else "request"
        fields.setdefault(name, []).append(error.get("msg", "Not valid"))
    return fields


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    return problem_response(422, "The request is not valid.", _errors_from_ninja(exc.errors))


@api.exception_handler(AuthenticationError)
def _unauthorised(request, exc):
    detail = (
        str(exc) if str(exc) != "Unauthorized" else "Send a personal API token as Authorization: Bearer kpi_…"
    )
    return problem_response(401, detail, headers={"WWW-Authenticate": 'Bearer realm="kpi-machine"'})


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem_response(exc.status_code, str(exc), getattr(exc, "errors", None))


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem_response(403, str(exc) or "This is outside your role's scope.")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem_response(404, str(exc) or "Not found.")


@api.exception_handler(RateLimited)
def _rate_limited(request, exc):
    return problem_response(429, str(exc), headers={"Retry-After": str(exc.retry_after)})


def _with_caching(view):
    """ETag from the body with 304 on If-None-Match (Django's conditional GET), and Vary on the
    token, so a shared cache never gives one caller another's answer."""
    conditional = conditional_page(view)

    def wrapped(request, *args, **kwargs):
        response = conditional(request, *args, **kwargs)
        if response.status_code == 405 and not response["Content-Type"].startswith("application/problem"):
            allowed = response.get("Allow", "")
            response = problem_response(405, f"This address answers {allowed or 'other methods'}.")
            response["Allow"] = allowed
        patch_vary_headers(response, ["Authorization"])
        if request.headers.get("Authorization"):
            response["Cache-Control"] = "private, no-cache"
        elif response.status_code in (200, 304) and not response.has_header("Cache-Control"):
            response["Cache-Control"] = f"public, max-age={settings.KPI_API_PUBLIC_MAX_AGE}"
        return response

    wrapped.csrf_exempt = True
    return wrapped


def urlpatterns():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _with_caching(pattern.callback)
    return patterns, app_name, namespace
