"""Real Chromium through Playwright against pytest-django's live server, with axe-core.

* Debian's Chromium at /usr/bin/chromium (Playwright cannot download browsers here). When it
  is missing the browser tests skip LOUDLY (a warning and a line in the summary); with
  REQUIRE_BROWSER=1 (`.ci/run`) they fail instead.
* Own fixture names (`chromium_browser`, `kpi_page`, `demo_council`), so nothing clashes with
  pytest-playwright's `browser`/`page` fixtures.
* `kpi_page` records every request and, at teardown, fails if any went to another host than
  the live server (the portal must load nothing from other sites), and fails if a document
  was loaded that `assert_accessible` did not check.
"""

import os
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("KPI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HERE = Path(__file__).resolve().parent
MISSING_REASON = (
    f"!!! BROWSER TESTS NOT RUN: Chromium is not installed at {CHROMIUM}. "
    "Install it with `apt-get install -y chromium fonts-liberation` (or run .ci/run, which does). !!!"
)
REQUIRED_REASON = (
    f"REQUIRE_BROWSER=1 but Chromium is not installed at {CHROMIUM}: the browser tests must run."
)


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def _is_browser_item(item) -> bool:
    return HERE == Path(str(item.fspath)).resolve().parent or HERE in Path(str(item.fspath)).resolve().parents


_skipped_for_missing_chromium = 0


def pytest_collection_modifyitems(config, items):
    global _skipped_for_missing_chromium
    if chromium_available():
        return
    ours = [item for item in items if _is_browser_item(item)]
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if browser_required():
            item.add_marker(pytest.mark.usefixtures("_fail_without_chromium"))
        else:
            item.add_marker(pytest.mark.skip(reason=MISSING_REASON))
    if ours and not browser_required():
        _skipped_for_missing_chromium = len(ours)
        warnings.warn(pytest.PytestWarning(MISSING_REASON), stacklevel=1)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _skipped_for_missing_chromium:
        terminalreporter.write_sep("!", f"{_skipped_for_missing_chromium} browser tests SKIPPED", red=True)
        terminalreporter.write_line(MISSING_REASON, red=True, bold=True)


@pytest.fixture
def _fail_without_chromium():
    pytest.fail(REQUIRED_REASON, pytrace=False)


@pytest.fixture(scope="module", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread, which makes Django refuse
    ORM calls; the tests' and fixtures' calls are synchronous and safe. Set for this folder's
    modules only, and restored after their last teardown (database flush included), not at
    import: it must not leak into other tests or the subprocesses they start, where e.g.
    `check --deploy` rightly fails on it (async.E001).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(autouse=True)
def _browser_static_storage(settings):
    # DEBUG is off under pytest, which would select the manifest storage (it needs collectstatic).
    # The live server serves files straight from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="module")
def chromium_browser(_allow_orm_beside_playwright):
    """Module-scoped: Playwright's event loop must be stopped before other folders' tests run."""
    if not chromium_available():
        if browser_required():
            pytest.fail(REQUIRED_REASON, pytrace=False)
        pytest.skip(MISSING_REASON)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def demo_council(transactional_db):
    """The demo council (York Table 3.3 indicators, users officer/head/... with password kpi-demo)."""
    from django.core.management import call_command
    from django.test import override_settings

    # load_demo refuses to run with DEBUG off (its users have a known password); pytest-django
    # turns DEBUG off, so allow it for the load only: the live server still runs with DEBUG off.
    with override_settings(DEBUG=True):
        call_command("load_demo", verbosity=0)


# Documents (full page loads) seen on each page: [url, checked by axe?], in order.
_documents: dict[int, list[list]] = {}


@pytest.fixture
def kpi_page(chromium_browser, live_server):
    server = urlsplit(live_server.url)
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    documents = _documents[id(page)] = []
    page.on("domcontentloaded", lambda loaded: documents.append([loaded.url, False]))
    # Chromium reports every Content-Security-Policy violation on the console ("Refused to ...
    # because it violates the following Content Security Policy directive"): each one fails.
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        _documents.pop(id(page), None)
        context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
    offenders = sorted(
        {
            url
            for url in requests
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and (urlsplit(url).hostname, urlsplit(url).port) != (server.hostname, server.port)
        }
    )
    assert not offenders, (
        "requests left the live server (the portal must load nothing from other sites):\n"
        + ("\n".join(offenders))
    )
    unchecked = [url for url, checked in documents if not checked]
    assert not unchecked, "pages loaded but not checked with assert_accessible: " + ", ".join(unchecked)


@pytest.fixture
def assert_accessible():
    """The axe check as a fixture, so tests need not import from this conftest."""
    return check_accessible


def check_accessible(page) -> None:
    """Run axe-core on the page as it is now; fail on any "serious" or "critical" violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    documents = _documents.get(id(page))
    if documents:
        documents[-1][1] = True
    violations = [
        v for v in results.response.get("violations", []) if v.get("impact") in {"serious", "critical"}
    ]
    if violations:
        lines = [f"axe found {len(violations)} serious/critical violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
            for node in violation.get("nodes", [])[:3]:
                summary = " ".join((node.get("failureSummary") or "").split())
                lines.append(f"    at {node.get('target')}: {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
