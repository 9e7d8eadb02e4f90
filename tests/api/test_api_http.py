"""HTTP behaviour: ETag and 304, CSV, paging, rate limits with Retry-After, and fixed query
counts at two data sizes for the list endpoints."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.limits import window_of
from indicators.models import Indicator
from reporting.public import OPEN_DATA_FIELDS


@pytest.fixture
def council(build_council, users):
    return build_council(9, months=3)


def test_etag_then_304(council, api_get):
    first = api_get("/api/v1/indicators")
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = api_get("/api/v1/indicators", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    Indicator.objects.filter(published=True).update(title="Renamed")
    assert api_get("/api/v1/indicators", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_token_answers_are_private(council, api_get, token_for, users):
    response = api_get("/api/v1/indicators", token_for(users["hub"]))
    assert response["Cache-Control"] == "private, no-cache"
    assert "public" in api_get("/api/v1/indicators")["Cache-Control"]


def test_csv_of_indicators_and_results(council, api_get):
    response = api_get("/api/v1/indicators?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("reference,title,category")
    assert len(lines) == 1 + Indicator.objects.filter(published=True).count()
    reference = Indicator.objects.filter(published=True).first().reference
    results = api_get(f"/api/v1/indicators/{reference}/results?format=csv").content.decode("utf-8-sig")
    assert results.splitlines()[1].startswith(f"{reference},2015-04,Apr 2015,")


def test_open_data_is_the_public_long_format(council, api_get, client):
    csv_api = api_get("/api/v1/open-data?format=csv").content
    assert csv_api.decode().splitlines()[0] == ",".join(OPEN_DATA_FIELDS)
    assert csv_api == client.get("/public/open-data.csv").content
    body = api_get("/api/v1/open-data?page_size=200").json()
    assert body["count"] == 3 * 3  # three published indicators, three months each
    assert set(body["items"][0]) == set(OPEN_DATA_FIELDS)


def test_paging_links(council, api_get):
    body = api_get("/api/v1/indicators?page_size=2").json()
    assert (body["count"], len(body["items"]), body["previous"]) == (3, 2, None)
    second = api_get(body["next"]).json()
    assert [len(second["items"]), second["next"]] == [1, None]
    assert api_get("/api/v1/indicators?page=99").json()["items"] == []
    assert api_get("/api/v1/indicators?page_size=5000").status_code == 422


def test_filters(council, api_get, token_for, users):
    hub = token_for(users["hub"])
    waste = api_get("/api/v1/indicators?service=waste&page_size=200", hub).json()
    assert waste["items"] and all(i["service"] == "waste" for i in waste["items"])
    unpublished = api_get("/api/v1/indicators?published=false&page_size=200", hub).json()
    assert unpublished["count"] == 6
    assert api_get("/api/v1/indicators?published=false").json()["count"] == 0
    assert api_get("/api/v1/indicators?polarity=sideways").status_code == 422


def test_window_arithmetic():
    assert window_of(120.0, 60) == (2, 60)
    assert window_of(179.5, 60) == (2, 1)


def test_rate_limit_per_address_and_per_token(council, api_get, token_for, users, settings):
    settings.KPI_API_RATE_PER_ADDRESS = 3
    settings.KPI_API_RATE_PER_TOKEN = 2
    for _ in range(3):
        assert api_get("/api/v1/indicators").status_code == 200
    refused = api_get("/api/v1/indicators")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused["Retry-After"]) <= settings.KPI_API_RATE_WINDOW_SECONDS
    # A token has its own allowance, whatever the address has used.
    token = token_for(users["hub"])
    assert api_get("/api/v1/indicators", token).status_code == 200
    assert api_get("/api/v1/indicators", token).status_code == 200
    assert api_get("/api/v1/indicators", token).status_code == 429


def _count(api_get, path, token=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api_get(path, token).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/indicators?page_size=200",
        "/api/v1/open-data?page_size=200",
        "/api/v1/reports",
        "/api/v1/service-plans",
        "/api/v1/clinics",
        "/api/v1/scorecards/cmt",
    ],
)
def test_query_counts_do_not_grow_with_data(build_council, users, api_get, token_for, path):
    token = token_for(users["hub"])
    build_council(3, months=2, prefix="SML")
    small = _count(api_get, path, token)
    build_council(30, months=6, prefix="BIG")
    assert _count(api_get, path, token) == small


def test_results_query_count_is_fixed(build_council, users, api_get, token_for):
    token = token_for(users["hub"])
    build_council(3, months=2, prefix="SML")
    small = _count(api_get, "/api/v1/indicators/SML000/results", token)
    build_council(3, months=12, prefix="BIG")
    assert _count(api_get, "/api/v1/indicators/BIG000/results", token) == small


def test_reference_page_is_served_here_without_script(db, client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html
    assert "cdn" not in html.lower() and "GET /api/v1/indicators/{reference}/results" in html
    assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
