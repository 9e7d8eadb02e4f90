"""No page scrolls sideways at 375 px, and at 1,280 px every table shows all its columns.

Every role (and an anonymous visitor) crawls the demo council from the home page through the
site's own links, a few pages per section so that every area is reached (scorecards, exception
lists, data quality, approvals, the library, indicator pages, public pages...). Each page found
is loaded in real Chromium at 1,280 px and again at 375 px:

* at 375 px the document must be no wider than the screen (a wide table scrolls inside its own
  labelled region, never the page);
* at 1,280 px no table's scrolling box may need to scroll either: a scorecard's direction,
  variation, forecast and officer columns must be on screen.

Run alone with: REQUIRE_BROWSER=1 .venv/bin/python -m pytest tests/browser/test_overflow.py -q
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = [None, "officer", "head", "director", "cmt", "hub", "councillor", "scrutiny", "auditor"]
MAX_PAGES = 30
MAX_PER_SECTION = 3  # paths per first segment and depth, so the crawl spreads over every area
MAX_PER_PATH = 2  # query-string variants of one path
SKIP = ("/admin/", "/accounts/logout/", "/static/", "/media/")
LINK = re.compile(r'href="([^"#][^"]*)"')
MEASURE = """() => {
  const root = document.documentElement;
  const boxes = [...document.querySelectorAll('.kpi-table-scroll, main table')]
    .filter((box) => box.scrollWidth > box.clientWidth + 1)
    .map((box) => `${box.getAttribute('aria-label') || box.id || box.className}: ${box.scrollWidth} px in ${box.clientWidth} px`);
  return {page: root.scrollWidth - root.clientWidth, boxes};
}"""


def crawl(client) -> list[str]:
    """The HTML pages reachable from the home page (breadth first, spread over sections)."""
    per_section: dict[tuple[str, int], set[str]] = {}
    per_path: dict[str, int] = {}
    visited: set[str] = set()
    pages: list[str] = []
    queue = deque(["/"])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.append(url)
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            if parts.path.endswith((".xlsx", ".csv", ".json")) or href in visited:
                continue
            segments = parts.path.strip("/").split("/")
            paths = per_section.setdefault((segments[0], len(segments)), set())
            if parts.path not in paths and len(paths) >= MAX_PER_SECTION:
                continue
            if per_path.get(parts.path, 0) >= MAX_PER_PATH:
                continue
            paths.add(parts.path)
            per_path[parts.path] = per_path.get(parts.path, 0) + 1
            queue.append(href)
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_no_page_scrolls_sideways_at_375_and_tables_fit_at_1280(
    chromium_browser, live_server, demo_council, role
):
    client = Client()
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    pages = crawl(client)
    assert len(pages) > 5, pages
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    if role:
        host = urlsplit(live_server.url).hostname
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
        )
    page = context.new_page()
    problems = []
    try:
        for url in pages:
            for width in (1280, 375):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(url, wait_until="load")
                measured = page.evaluate(MEASURE)
                if measured["page"] > 0:
                    problems.append(f"{width} px {url}: the page scrolls sideways by {measured['page']} px")
                if width == 1280 and measured["boxes"]:
                    problems.append(f"{width} px {url}: " + "; ".join(measured["boxes"]))
    finally:
        context.close()
    assert not problems, f"{role or 'anonymous'}:\n" + "\n".join(problems)


def test_the_public_rag_column_is_on_screen_at_375(chromium_browser, live_server, demo_council):
    context = chromium_browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        page.goto("/public/")
        edges = page.evaluate(
            """() => [...document.querySelectorAll('main table')].map((table) => {
              const headers = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
              const column = headers.indexOf('RAG') + 1;
              const cells = [...table.querySelectorAll(`tbody tr > :nth-child(${column})`)];
              return Math.max(...cells.map((cell) => cell.getBoundingClientRect().right));
            })"""
        )
    finally:
        context.close()
    assert edges and all(edge <= 375 for edge in edges), edges
