"""Anonymous reads are the /public/ rule; token reads are the caller's role and scope."""

import pytest

from indicators.models import Indicator, Result


@pytest.fixture
def council(build_council, users):
    return build_council(6, months=3)


def test_anonymous_sees_published_indicators_only(council, api_get):
    response = api_get("/api/v1/indicators")
    assert response.status_code == 200
    body = response.json()
    published = set(Indicator.objects.filter(published=True).values_list("reference", flat=True))
    assert {i["reference"] for i in body["items"]} == published
    assert body["count"] == len(published)


def test_unpublished_indicator_is_a_404_to_anonymous(council, api_get):
    hidden = Indicator.objects.filter(published=False).first()
    response = api_get(f"/api/v1/indicators/{hidden.reference}/results")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_staff_token_sees_their_scope(council, api_get, token_for, users):
    token = token_for(users["officer"])
    body = api_get("/api/v1/indicators?page_size=200", token).json()
    refs = {i["reference"] for i in body["items"]}
    hr = set(Indicator.objects.filter(service__slug="hr").values_list("reference", flat=True))
    assert hr <= refs
    waste_unpublished = Indicator.objects.filter(service__slug="waste", published=False).first()
    assert waste_unpublished.reference not in refs
    response = api_get(f"/api/v1/indicators/{waste_unpublished.reference}", token)
    assert response.status_code == 403


def test_results_period_range_and_drafts(council, api_get, token_for, users):
    indicator = Indicator.objects.filter(published=True).first()
    Result.objects.filter(indicator=indicator, period__start__month=6).update(status=Result.Status.DRAFT)
    anonymous = api_get(f"/api/v1/indicators/{indicator.reference}/results").json()
    assert [r["period"]["key"] for r in anonymous["items"]] == ["2015-04", "2015-05"]
    ranged = api_get(f"/api/v1/indicators/{indicator.reference}/results?start=2015-05&end=2015-05").json()
    assert [r["period"]["key"] for r in ranged["items"]] == ["2015-05"]
    hub = api_get(f"/api/v1/indicators/{indicator.reference}/results", token_for(users["hub"])).json()
    assert [r["status"] for r in hub["items"]][-1] == "draft"


def test_bad_period_key_is_a_problem_with_field_errors(council, api_get):
    indicator = Indicator.objects.filter(published=True).first()
    response = api_get(f"/api/v1/indicators/{indicator.reference}/assessments?start=Dec+0000")
    assert response.status_code == 422
    problem = response.json()
    assert set(problem) >= {"type", "title", "status", "detail", "errors"}
    assert list(problem["errors"]) == ["start"]
