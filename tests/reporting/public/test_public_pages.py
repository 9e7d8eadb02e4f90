"""The public pages and open data: published, active indicators only, and nothing else leaks.

The crawl follows every same-site link reachable from /public/ as an anonymous visitor (pages and
downloads) and checks that no unpublished or retired indicator's reference or title appears.
"""

import csv
import io
import json
import re
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import pytest

from indicators.models import Assessment, Indicator

pytestmark = pytest.mark.django_db
SKIP = ("/admin/", "/accounts/logout/", "/static/")


@pytest.fixture
def council(build_council):
    indicators = build_council(12)
    # GEN009 is published but retired: it must not appear either.
    Indicator.objects.filter(reference="GEN009").update(is_active=False, title="Retired secret indicator")
    return indicators


def hidden(indicators) -> list[Indicator]:
    return [i for i in Indicator.objects.all() if not (i.published and i.is_active)]


def crawl(client, start="/public/", limit=400) -> dict[str, str]:
    seen, queue, bodies = set(), [start], {}
    while queue and len(seen) < limit:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        if response.status_code == 302:
            queue.append(response["Location"])
            continue
        body = response.content.decode()
        bodies[url] = body
        if "html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', body):
            href = href.replace("&amp;", "&")
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return bodies


def test_crawl_from_public_never_shows_an_unpublished_indicator(client, council):
    bodies = crawl(client)
    assert "/public/open-data.csv" in bodies and "/public/open-data.json" in bodies
    assert "/public/indicators/GEN000/" in bodies
    secrets = hidden(council)
    assert {i.reference for i in secrets} >= {"GEN001", "GEN009"}
    for url, body in bodies.items():
        for indicator in secrets:
            assert not re.search(rf"\b{indicator.reference}\b", body), (indicator.reference, url)
            assert indicator.title not in body, (indicator.title, url)


def test_unpublished_and_retired_indicator_pages_are_404(client, council):
    assert client.get("/public/indicators/GEN001/").status_code == 404
    assert client.get("/public/indicators/GEN009/").status_code == 404
    assert client.get("/public/indicators/NOPE/").status_code == 404
    assert client.get("/public/indicators/GEN000/").status_code == 200


def test_open_data_csv_is_the_long_format(client, council):
    response = client.get("/public/open-data.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "Id",
        "Indicator",
        "Period",
        "Polarity",
        "Total",
        "Target",
        "RAG",
        "Direction of travel",
        "Unit",
    ]
    assert {r["Id"] for r in rows} == {"GEN000", "GEN003", "GEN006"}
    gen003 = [r for r in rows if r["Id"] == "GEN003"]
    assert len(gen003) == 12 and gen003[0]["Period"] == "Apr 2015" and gen003[0]["Polarity"] == "Up is Good"
    assert {r["Polarity"] for r in rows} <= {"Up is Good", "Up is Bad", "Neutral"}
    float(gen003[0]["Total"])


def test_open_data_json_matches_csv_and_keeps_numbers(client, council):
    data = json.loads(client.get("/public/open-data.json").content)
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/public/open-data.csv").content.decode())))
    assert [(d["Id"], d["Period"]) for d in data] == [(r["Id"], r["Period"]) for r in csv_rows]
    assert all(isinstance(d["Total"], int | float) for d in data)


def test_open_data_total_and_target_have_the_indicators_decimal_places(client, council):
    Indicator.objects.filter(reference="GEN000").update(unit="count", decimal_places=0)
    Indicator.objects.filter(reference="GEN003").update(decimal_places=2)
    Assessment.objects.filter(indicator__reference="GEN003").update(value=Decimal("84.2618"))
    rows = list(csv.DictReader(io.StringIO(client.get("/public/open-data.csv").content.decode())))
    gen000 = [r for r in rows if r["Id"] == "GEN000"]
    assert gen000 and all("." not in r["Total"] and r["Target"] == "60" for r in gen000)  # not "60.0000"
    assert {r["Total"] for r in rows if r["Id"] == "GEN003"} == {"84.26"}
    assert {r["Target"] for r in rows if r["Id"] == "GEN003"} == {"60.00"}
    assert {r["Target"] for r in rows if r["Id"] == "GEN006"} == {"60.0"}  # one decimal place

    data = json.loads(client.get("/public/open-data.json").content)
    assert all(isinstance(d["Total"], int) and d["Target"] == 60 for d in data if d["Id"] == "GEN000")
    assert {d["Total"] for d in data if d["Id"] == "GEN003"} == {84.26}  # numbers stay numbers


def test_open_data_neutralises_formulas(client, council):
    Indicator.objects.filter(reference="GEN000").update(title="=cmd|' /C calc'!A0")
    rows = list(csv.DictReader(io.StringIO(client.get("/public/open-data.csv").content.decode())))
    assert next(r for r in rows if r["Id"] == "GEN000")["Indicator"].startswith("'=")


def test_public_page_needs_no_sign_in_and_names_no_officer(client, council, users):
    Indicator.objects.update(responsible_officer=users["head"])
    html = client.get("/public/").content.decode()
    assert "GEN000" in html and "Head" not in re.sub(r"<head>.*?</head>", "", html, flags=re.S)
