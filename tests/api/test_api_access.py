"""Denied paths: anonymous on staff data, a token of the wrong role or scope, revoked and expired
tokens, writes without write scope, an officer writing where they may not enter; every refusal a
problem document."""

import datetime

import pytest
from django.utils import timezone

from api.models import ApiToken, ApiTokenUse
from indicators.models import Indicator, Result, ResultChange

STAFF_ONLY = [
    "/api/v1/scorecards",
    "/api/v1/scorecards/cmt",
    "/api/v1/exception-lists",
    "/api/v1/service-plans",
    "/api/v1/service-plans/1",
    "/api/v1/clinics",
    "/api/v1/clinics/1",
    "/api/v1/remedial-plans/1",
]


def assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://") and body["title"] and body["detail"]
    return body


@pytest.fixture
def council(build_council, users):
    return build_council(6, months=3)


@pytest.mark.parametrize("path", STAFF_ONLY)
def test_anonymous_on_staff_data_is_401(council, api_get, path):
    response = api_get(path)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_api_address_is_a_problem_404(api_get, db):
    assert_problem(api_get("/api/v1/no-such-thing"), 404)
    assert_problem(api_get("/api/v2/indicators"), 404)


def test_wrong_role_is_403(council, api_get, token_for, users):
    councillor = token_for(users["councillor"])
    assert_problem(api_get("/api/v1/exception-lists", councillor), 403)
    assert_problem(api_get("/api/v1/scorecards/cmt", councillor), 403)
    assert_problem(api_get("/api/v1/scorecards/directorate/oce", councillor), 403)
    assert api_get("/api/v1/exception-lists", token_for(users["cmt"])).status_code == 200


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown", "not bearer"])
def test_dead_tokens_are_401_never_anonymous(council, api_get, token_for, users, client, state):
    raw = token_for(users["hub"])
    token = ApiToken.objects.get()
    if state == "revoked":
        token.revoked_at = timezone.now()
        token.save()
    elif state == "expired":
        token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        token.save()
    elif state == "unknown":
        raw = raw[:-4] + "zzzz"
    if state == "not bearer":
        response = client.get("/api/v1/indicators", HTTP_AUTHORIZATION=f"Token {raw}")
    else:
        response = api_get("/api/v1/indicators", raw)
    assert_problem(response, 401)
    assert not ApiTokenUse.objects.exists()


def test_every_use_is_logged(council, api_get, token_for, users):
    raw = token_for(users["auditor"])
    api_get("/api/v1/indicators?page=1", raw)
    use = ApiTokenUse.objects.get()
    assert (use.user, use.method, use.path) == (users["auditor"], "GET", "/api/v1/indicators?page=1")
    assert ApiToken.objects.get().last_used_at is not None


def _post(client, reference, token, **body):
    data = {"period": "2015-06", "value": "55", "commentary": "Steady month with no surprises.", **body}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(
        f"/api/v1/indicators/{reference}/results", data, content_type="application/json", **headers
    )


@pytest.fixture
def officer_indicator(council, users):
    indicator = Indicator.objects.filter(service__slug="hr").order_by("reference").first()
    indicator.data_entry_officers.add(users["officer"])
    return indicator


def test_write_needs_a_token_with_write_scope(officer_indicator, client, token_for, users):
    assert_problem(_post(client, officer_indicator.reference, None), 401)
    body = assert_problem(_post(client, officer_indicator.reference, token_for(users["officer"])), 403)
    assert "write scope" in body["detail"]


def test_officer_may_not_write_where_they_may_not_enter(officer_indicator, client, token_for, users):
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    published_waste = Indicator.objects.filter(service__slug="waste", published=True).first()
    assert_problem(_post(client, published_waste.reference, token), 403)
    hidden_waste = Indicator.objects.filter(service__slug="waste", published=False).first()
    assert_problem(_post(client, hidden_waste.reference, token), 403)
    assert not ResultChange.objects.exists()


def test_posting_a_month_goes_through_the_return_service(
    officer_indicator, client, token_for, users, settings
):
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    response = _post(client, officer_indicator.reference, token, period="2015-09", version=0)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "submitted"
    change = ResultChange.objects.get()
    assert (change.changed_by, change.action, change.period.key) == (users["officer"], "submit", "2015-09")
    # A stale version is a conflict, with the current version to retry from.
    stale = assert_problem(
        _post(client, officer_indicator.reference, token, period="2015-09", value="56"), 409
    )
    assert stale["current_version"] == 1
    again = _post(client, officer_indicator.reference, token, period="2015-09", value="56", version=1)
    assert again.status_code == 200
    assert (
        Result.objects.get(indicator=officer_indicator, period__start=datetime.date(2015, 9, 1)).value == 56
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "lots"}, "value"),
        ({"value": "1" * 40}, "value"),
        ({"period": "Dec 0000"}, "period"),
        ({"period": "2016-02"}, "value"),  # after the reporting date
        ({"period": "fy2015-16-q1"}, "value"),  # a quarter for a monthly indicator
    ],
)
def test_refused_writes_say_which_field(officer_indicator, client, token_for, users, body, field):
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    problem = assert_problem(_post(client, officer_indicator.reference, token, **body), 422)
    assert field in problem["errors"], problem
    assert not ResultChange.objects.exists()


def test_malformed_json_body_is_a_problem(officer_indicator, client, token_for, users):
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    response = client.post(
        f"/api/v1/indicators/{officer_indicator.reference}/results",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_nul_in_the_query_is_a_problem_400(council, api_get):
    assert_problem(api_get("/api/v1/indicators?q=a%00b"), 400)


def test_token_posts_need_no_csrf_cookie(officer_indicator, token_for, users):
    from django.test import Client

    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})
    strict = Client(enforce_csrf_checks=True)
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    assert _post(strict, officer_indicator.reference, token, period="2015-09").status_code == 201


def test_wrong_method_is_a_problem_405(council, client):
    response = client.delete("/api/v1/indicators")
    assert_problem(response, 405)


def test_a_posted_result_queues_its_recompute_on_commit(
    officer_indicator, client, token_for, users, django_capture_on_commit_callbacks
):
    from indicators.models import RecomputeMark
    from organisation.models import ReportingCalendar

    ReportingCalendar.objects.update_or_create(id=1, defaults={"as_of": datetime.date(2016, 1, 20)})
    RecomputeMark.objects.all().delete()
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    with django_capture_on_commit_callbacks() as callbacks:
        assert _post(client, officer_indicator.reference, token, period="2015-09").status_code == 201
    assert callbacks
    assert RecomputeMark.objects.filter(indicator_id=officer_indicator.id).exists()


def test_a_refused_post_queues_nothing(
    officer_indicator, client, token_for, users, django_capture_on_commit_callbacks
):
    from indicators.models import RecomputeMark

    RecomputeMark.objects.all().delete()
    token = token_for(users["officer"], ApiToken.Scope.WRITE)
    with django_capture_on_commit_callbacks() as callbacks:
        assert _post(client, officer_indicator.reference, token, value="lots").status_code == 422
    assert not callbacks and not RecomputeMark.objects.exists()
