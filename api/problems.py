"""RFC 9457 problem details: every error the API answers is one of these, as application/problem+json."""

import json

from django.http import HttpResponse

PROBLEM_TYPE = "https://kpi-machine.example/problems/"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "The request is not valid",
    429: "Too many requests",
}
SLUGS = {
    400: "bad-request",
    401: "unauthorised",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "invalid",
    429: "rate-limited",
}


def problem_body(status: int, detail: str, errors: dict[str, list[str]] | None = None, **extra) -> dict:
    """The problem document: type, title, status, detail, and per-field `errors` when there are any."""
    body = {
        "type": PROBLEM_TYPE + SLUGS.get(status, "error"),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = {field: [str(m) for m in messages] for field, messages in errors.items()}
    body.update(extra)
    return body


def problem_response(status: int, detail: str, errors=None, headers=None, **extra) -> HttpResponse:
    response = HttpResponse(
        json.dumps(problem_body(status, detail, errors, **extra)),
        status=status,
        content_type="application/problem+json",
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_api_path(path: str) -> bool:
    return path.startswith("/api/")
