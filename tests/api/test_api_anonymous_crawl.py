"""A crawl of every GET path in the OpenAPI document as anonymous, with every real identifier
filled in: nothing unpublished leaks (no unpublished indicator's reference, no draft result, no
internal report), and staff data answers 401."""

import re

import pytest

from api.api import api
from clinics.models import Clinic
from indicators.models import Indicator, Period, Result
from organisation.models import Board, Directorate, Portfolio
from reporting.reports.models import Report
from service_plans.models import Plan


@pytest.fixture
def everything(published_q3, plan_with_actions, scheduled_clinic, users):
    Result.objects.filter(indicator__published=True, period__start__month=12).update(
        status=Result.Status.DRAFT
    )
    return published_q3


def _fillings() -> dict[str, list[str]]:
    return {
        "reference": list(Indicator.objects.values_list("reference", flat=True)),
        "plan_id": [str(i) for i in Plan.objects.values_list("id", flat=True)]
        + [str(i) for i in Report.objects.values_list("id", flat=True)],
        "clinic_id": [str(i) for i in Clinic.objects.values_list("id", flat=True)],
        "report_id": [str(i) for i in Report.objects.values_list("id", flat=True)],
        "kind": ["cmt", "council-plan", "directorate", "portfolio", "board"],
        "slug": [d.slug for model in (Directorate, Portfolio, Board) for d in model.objects.all()],
        "period": [p.key for p in Period.objects.all()[:5]],
    }


def _urls(path: str, fillings) -> list[str]:
    urls = [path]
    for name in re.findall(r"{(\w+)}", path):
        urls = [u.replace("{" + name + "}", value) for u in urls for value in fillings[name]]
    return urls


def test_anonymous_crawl_leaks_nothing(everything, client, generous_limits):
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    fillings = _fillings()
    unpublished = set(Indicator.objects.filter(published=False).values_list("reference", flat=True))
    assert unpublished
    secrets = [re.compile(rf"\b{re.escape(ref)}\b") for ref in unpublished]
    drafts = {
        (r.indicator.reference, r.period.key)
        for r in Result.objects.filter(status="draft").select_related("indicator", "period")
    }
    assert drafts
    crawled = 0
    for path, methods in schema["paths"].items():
        if "get" not in methods:
            continue
        for url in _urls(path, fillings):
            for suffix in ("", "?format=csv", "?page_size=200"):
                response = client.get(url + suffix)
                crawled += 1
                assert response.status_code in (200, 401, 404, 422), (url, response.status_code)
                if response.status_code != 200:
                    assert response["Content-Type"] == "application/problem+json"
                    continue
                text = response.content.decode("utf-8-sig")
                if re.fullmatch(r"/api/v1/reports/\d+", url):
                    # A public report version is what the hub chose to publish, indicators and all:
                    # the API gives exactly /public/reports/<id>/data.json, nothing more.
                    public = client.get(url.replace("/api/v1/reports/", "/public/reports/") + "/data.json")
                    assert response.json()["snapshot"] == public.json()["snapshot"]
                    assert response.json()["digest"] == public.json()["digest"]
                    continue
                leaked = [p.pattern for p in secrets if p.search(text)]
                assert not leaked, (url + suffix, leaked)
                if "/results" in url and suffix != "?format=csv":
                    keys = {(r["indicator"], r["period"]["key"]) for r in response.json()["items"]}
                    assert not keys & drafts, url
    assert crawled > 50
