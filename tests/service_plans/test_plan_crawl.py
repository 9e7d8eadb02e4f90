"""Crawl the plan pages of the demo council as every role (and anonymous): no link leads to a 500,
and hostile query strings on them do not either. (tests/kpi_machine/test_crawl.py starts at the
home page with a page budget; this one starts at /service-plans/.)"""

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

ROLES = [None, "officer", "head", "director", "cmt", "hub", "councillor", "scrutiny", "auditor", "buddy"]
MAX_PAGES = 40
LINK = re.compile(r'href="([^"#][^"]*)"')
HOSTILE = "?year=%27%22&q=%3Cscript%3E&page=-1&sort=__class__"


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


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_plan_pages_never_500(client, demo_db, role):
    if role:
        client.force_login(get_user_model().objects.get(username=role))
    visited: dict[str, int] = {}
    queue = deque(["/service-plans/"])
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        response = client.get(url)
        visited[url] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in LINK.findall(response.content.decode()):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            if (
                href.startswith("/service-plans/")
                and href not in visited
                and not href.endswith("export.xlsx")
            ):
                queue.append(href)
    errors = {url: status for url, status in visited.items() if status >= 500}
    assert not errors, errors
    if role in ("head", "hub"):
        assert len(visited) > 10, visited
    for url in list(visited)[:10]:
        path = urlsplit(url).path
        assert client.get(path + HOSTILE).status_code < 500, path
