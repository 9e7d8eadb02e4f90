"""The account page for personal API tokens: created with a labelled form, shown once, stored
hashed, revoked by their owner only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from api.tokens import hash_key


@pytest.fixture
def signed_in(client, users):
    client.force_login(users["officer"])
    return client


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/accounts/api-tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_created_token_is_shown_once_and_stored_hashed(signed_in, users):
    response = signed_in.post(
        "/accounts/api-tokens/", {"name": "returns feed", "scope": "write", "days": "90"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    raw = response.context["new_secret"]
    assert raw.startswith("kpi_") and raw.encode() in response.content
    assert token.key_hash == hash_key(raw) and raw not in token.key_hash
    assert (token.user, token.scope, (token.expires_at - token.created_at).days) == (
        users["officer"],
        "write",
        90,
    )
    again = signed_in.get("/accounts/api-tokens/")
    assert raw.encode() not in again.content
    assert b"returns feed" in again.content and token.prefix.encode() in again.content
    # The token works on the API at once.
    assert signed_in.get("/api/v1/indicators", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scope": "read", "days": "90"}, "name"),
        ({"name": "x", "scope": "admin", "days": "90"}, "scope"),
        ({"name": "x", "scope": "read", "days": "9999"}, "days"),
        ({"name": "x", "scope": "read", "days": "soon"}, "days"),
    ],
)
def test_bad_form_shows_the_error_summary(signed_in, data, field):
    response = signed_in.post("/accounts/api-tokens/", data)
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert f'href="#id_{field}"'.encode() in response.content
    assert not ApiToken.objects.exists()


def test_owner_revokes_and_the_token_stops_working(signed_in, users, client):
    signed_in.post("/accounts/api-tokens/", {"name": "feed", "scope": "read", "days": "30"})
    token = ApiToken.objects.get()
    response = signed_in.post(f"/accounts/api-tokens/{token.id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert b"Revoked" in signed_in.get("/accounts/api-tokens/").content


def test_someone_elses_token_cannot_be_revoked(client, users):
    client.force_login(users["hub"])
    client.post("/accounts/api-tokens/", {"name": "hub feed", "scope": "read", "days": "30"})
    token = ApiToken.objects.get()
    client.force_login(users["officer"])
    assert client.post(f"/accounts/api-tokens/{token.id}/revoke/").status_code == 404
    assert client.get(f"/accounts/api-tokens/{token.id}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_queries_do_not_grow(signed_in, users, django_assert_num_queries):
    from api import tokens

    tokens.token_create(user=users["officer"], name="one", scope="read", days=30)
    with CaptureQueriesContext(connection) as small:
        signed_in.get("/accounts/api-tokens/")
    for n in range(10):
        tokens.token_create(user=users["officer"], name=f"feed {n}", scope="read", days=30)
    with django_assert_num_queries(len(small)):
        signed_in.get("/accounts/api-tokens/")
