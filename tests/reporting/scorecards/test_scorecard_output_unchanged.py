"""The demo council's scorecards are byte-for-byte what they were before the per-indicator summary
(issue 12: the scorecard reads one `IndicatorSummary` row per indicator instead of a window query).

`scorecard_pages.json.gz` holds the whole HTML of each page below (CSRF tokens masked), rendered
by main before the summary existed (ac0a7f7), so the summary path, its per-indicator fallback to
the window query and every view ("as reported", `?view=current`, a year, a past year, a month)
are compared with the old row builder's output.

Regenerate only for a deliberate change of the markup:
`KPI_WRITE_SCORECARD_PAGES=1 .venv/bin/python -m pytest -n 0 tests/reporting/scorecards/test_scorecard_output_unchanged.py`
"""

import gzip
import json
import os
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from fixtures.demo import delete_demo
from indicators.models import Period

PAGES = Path(__file__).with_name("scorecard_pages.json.gz")
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
URLS = [
    ("cmt", "/scorecards/cmt/"),  # as reported: the latest reported period
    ("cmt", "/scorecards/cmt/?view=current"),
    ("cmt", "/scorecards/cmt/?period=fy2015-16"),  # the year so far: always current
    ("cmt", "/scorecards/cmt/?period=fy2014-15"),  # a past year: the window query
    ("cmt", "/scorecards/cmt/?period=2015-12"),
    ("cmt", "/scorecards/cmt/?period=fy2015-16-q2&sort=rag"),
    ("director", "/scorecards/directorate/oce/"),
    ("director", "/scorecards/directorate/oce/?view=current&indicators=all"),
    ("director", "/scorecards/directorate/oce/?period=fy2015-16"),
    ("director", "/scorecards/directorate/oce/?period=fy2013-14"),
]
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|name="csrf-token" content=|"X-CSRFToken": )"[^"]*"')


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    name = str(connection.settings_dict["NAME"])
    assert "memory" in name or "test" in name, f"not a test database: {name}"
    with django_db_blocker.unblock(), override_settings(DEBUG=True, PASSWORD_HASHERS=FAST_HASHERS):
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock():
        delete_demo()
        Period.objects.all().delete()


@pytest.fixture
def demo(demo_db, db, settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = FAST_HASHERS


def pages(client) -> dict[str, str]:
    out = {}
    for username, url in URLS:
        client.force_login(get_user_model().objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, url
        out[url] = _TOKEN.sub(r'\1"-"', response.content.decode())
    return out


def test_the_demo_councils_scorecards_are_byte_for_byte_unchanged(demo, client):
    current = pages(client)
    if os.environ.get("KPI_WRITE_SCORECARD_PAGES"):
        PAGES.write_bytes(gzip.compress(json.dumps(current, indent=0).encode(), mtime=0))
    expected = json.loads(gzip.decompress(PAGES.read_bytes()))
    assert current.keys() == expected.keys()
    for url, html in expected.items():
        assert current[url] == html, url
