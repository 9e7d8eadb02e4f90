"""The API's pure pieces: problem documents, paging bounds, token liveness, the OpenAPI
post-processing and the reference page's reading of the document."""

import datetime

from api.api import document_media_types
from api.common import page_bounds
from api.models import ApiToken
from api.problems import problem_body
from api.tokens import hash_key, is_live
from api.views import reference_operations

NOW = datetime.datetime(2016, 1, 20, 12, tzinfo=datetime.UTC)


def test_problem_body_has_the_rfc_9457_members():
    body = problem_body(422, "The result is not valid.", {"value": ["Enter a number"]})
    assert body == {
        "type": "https://kpi-machine.example/problems/invalid",
        "title": "The request is not valid",
        "status": 422,
        "detail": "The result is not valid.",
        "errors": {"value": ["Enter a number"]},
    }
    assert "errors" not in problem_body(404, "No such indicator.")


def test_page_bounds():
    assert page_bounds(0, 1, 25) == (0, 0)
    assert page_bounds(30, 2, 25) == (25, 30)
    assert page_bounds(30, 9, 25) == (30, 30)


def test_token_liveness():
    token = ApiToken(expires_at=NOW + datetime.timedelta(days=1))
    assert is_live(token, NOW)
    assert not is_live(ApiToken(expires_at=NOW), NOW)
    assert not is_live(ApiToken(expires_at=NOW + datetime.timedelta(days=1), revoked_at=NOW), NOW)
    assert hash_key("kpi_x") == hash_key("kpi_x") != hash_key("kpi_y") and len(hash_key("kpi_x")) == 64


SCHEMA = {
    "paths": {
        "/api/v1/indicators": {
            "get": {
                "summary": "Indicators",
                "tags": ["Indicators"],
                "parameters": [
                    {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                    {"name": "page", "in": "query", "required": False, "schema": {"type": "integer"}},
                ],
                "responses": {
                    200: {"content": {"application/json": {"schema": {}}}},
                    404: {"content": {"application/json": {"schema": {}}}},
                },
            }
        }
    }
}


def test_document_media_types():
    import copy

    schema = document_media_types(copy.deepcopy(SCHEMA))
    responses = schema["paths"]["/api/v1/indicators"]["get"]["responses"]
    assert set(responses[200]["content"]) == {"application/json", "text/csv"}
    assert set(responses[404]["content"]) == {"application/problem+json"}
    assert 304 in responses


def test_reference_operations():
    [group] = reference_operations(SCHEMA)
    assert group["tag"] == "Indicators"
    [op] = group["operations"]
    assert (op["method"], op["path"], op["summary"]) == ("GET", "/api/v1/indicators", "Indicators")
    assert op["parameters"][0]["type"] == "one of json, csv"
