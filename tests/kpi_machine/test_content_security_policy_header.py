"""The strict Content-Security-Policy (issue 11, item 11), checked without a browser: the header
on every kind of response, templates with nothing inline for it to block, htmx without eval, and
charts on plotly.js's basic bundle. tests/browser/test_content_security_policy.py checks that
Chromium reports no violation on the pages themselves."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Every page template; those drawn into PDFs by WeasyPrint (clinic packs, reports) are never sent
# to a browser under the policy, and carry their print styles inline.
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*.html") if "pdf" not in path.name)
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.S)

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "url", ["/", "/public/", "/accounts/login/", "/indicators/", "/scorecards/cmt/", "/no-such-page/"]
)
def test_every_response_has_the_strict_policy(client, users, url):
    client.force_login(users["hub"])
    policy = directives(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    everything = " ".join(value for values in policy.values() for value in values)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything


def test_anonymous_pages_have_it_too(client):
    assert directives(client.get("/public/"))["default-src"] == ["'self'"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_or_style(template):
    html = COMMENT.sub("", template.read_text())
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b", html), "<style> element"
    assert not re.search(r"\sstyle=", html), "style= attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_htmx_never_evaluates_code():
    base = (ROOT / "templates" / "base.html").read_text()
    assert '"allowEval": false' in base and '"allowScriptTags": false' in base


def test_charts_use_plotly_basic_bundle_not_the_full_one():
    detail = (ROOT / "templates" / "indicators" / "detail.html").read_text()
    assert "js/plotly-basic.min.js" in detail
    assert not any("plotly.min.js" in path.read_text() for path in TEMPLATES)
