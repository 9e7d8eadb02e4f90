"""Crawl the demo council as every role and as an anonymous visitor: no link leads to a 500.

Each role starts at the home page and follows the site's own links (breadth first, a bounded
number of pages, a few query-string variants per path), so a page that breaks for one role's
scope or one data shape is found without naming every URL here. Then every page visited is
asked again with hostile query values appended: still never a 500.
"""

import re
from collections import deque
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fixtures.demo import delete_demo
from indicators.models import Period

ROLES = [None, "officer", "head", "director", "cmt", "hub", "councillor", "scrutiny", "auditor"]
MAX_PAGES = 20
MAX_VARIANTS_PER_PATH = 2
SKIP = ("/admin/", "/accounts/logout/", "/static/", "/media/")
HOSTILE = "?q=%3Cscript%3E&period=99999&page=-1&directorate=%27%22&sort=__class__&rag=purple"
LINK = re.compile(r'href="([^"#][^"]*)"')


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    assert "memory" in str(connection.settings_dict["NAME"]) or "test" in str(
        connection.settings_dict["NAME"]
    )
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=hashers):
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        delete_demo()
        Period.objects.all().delete()


def duplicate_landmarks(html: str) -> list[str]:
    """axe's landmark-unique rule (moderate, so the browser check lets it pass): no two landmarks
    of one kind (a region, a nav, ...) with the same label on a page."""
    seen: dict[tuple[str, str], int] = {}
    for tag in re.findall(r"<(?:nav|section|aside|div|form)\b[^>]*>", html):
        label = re.search(r'aria-label="([^"]+)"', tag)
        role = re.search(r'role="([^"]+)"', tag)
        kind = role.group(1) if role else tag[1:].split()[0].rstrip(">")
        if not label or kind in {"div", "form"}:
            continue
        key = (kind, label.group(1))
        seen[key] = seen.get(key, 0) + 1
    return [f"{kind} {label!r} x{count}" for (kind, label), count in seen.items() if count > 1]


DUPLICATES: dict[str, list[str]] = {}


def crawl(client) -> dict[str, int]:
    seen_paths: dict[str, int] = {}
    visited: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        response = client.get(url)
        visited[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        if duplicates := duplicate_landmarks(html):
            DUPLICATES[url] = duplicates
        for href in LINK.findall(html):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/") or href.startswith(SKIP):
                continue
            if href in visited or seen_paths.get(parts.path, 0) >= MAX_VARIANTS_PER_PATH:
                continue
            seen_paths[parts.path] = seen_paths.get(parts.path, 0) + 1
            queue.append(href)
    return visited


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_link_leads_to_a_server_error(client, demo_db, role):
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    visited = crawl(client)
    assert len(visited) > 5, visited
    errors = {url: status for url, status in visited.items() if status >= 500}
    assert not errors, errors
    hostile = {}
    for url in list(visited)[:8]:
        joined = url + (HOSTILE.replace("?", "&", 1) if "?" in url else HOSTILE)
        status = client.get(joined).status_code
        if status >= 500:
            hostile[joined] = status
    assert not hostile, hostile


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["hub", "auditor", "cmt", "director"])
def test_no_page_repeats_a_landmark_label(client, demo_db, role):
    client.force_login(get_user_model().objects.get(username=role))
    DUPLICATES.clear()
    crawl(client)
    for path in ("/data-quality/", "/audit/", "/approvals/", "/scorecards/cmt/"):
        response = client.get(path)
        if response.status_code == 200 and (duplicates := duplicate_landmarks(response.content.decode())):
            DUPLICATES[path] = duplicates
    assert DUPLICATES == {}
