"""Sign-in throttling, idle time-out, no caching of signed-in pages, trusted proxy headers
(issue 11, items 10 and 12)."""

import time

import pytest
from django.test import Client, override_settings

from kpi_machine.middleware import IdleSessionTimeoutMiddleware

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _fail(client, username="officer", times=1, **extra):
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong"}, **extra)
    return response


def test_after_five_wrong_passwords_the_right_one_is_refused_with_a_message(client, users):
    assert _fail(client, times=4).status_code == 200
    locked = _fail(client)
    assert locked.status_code == 429
    assert "Sign-in is locked for now" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    right = client.post(LOGIN, {"username": "officer", "password": "kpi-demo"})
    assert right.status_code == 429
    assert not client.get("/").context["user"].is_authenticated


def test_the_lockout_is_per_account_from_any_address(users):
    for n in range(5):
        _fail(Client(REMOTE_ADDR=f"10.0.0.{n}"))
    assert _fail(Client(REMOTE_ADDR="10.0.1.1")).status_code == 429
    other = Client(REMOTE_ADDR="10.0.1.1").post(LOGIN, {"username": "head", "password": "kpi-demo"})
    assert other.status_code == 302  # another account from a new address is unaffected


def test_the_lockout_is_per_address_across_accounts(users):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for name in ("a", "b", "c", "d", "e"):
        _fail(attacker, username=name)
    assert attacker.post(LOGIN, {"username": "head", "password": "kpi-demo"}).status_code == 429


def test_a_forged_forwarded_for_does_not_escape_the_address_lockout(users):
    attacker = Client(REMOTE_ADDR="10.9.9.8")
    for n in range(5):
        _fail(attacker, username=f"x{n}", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert attacker.post(LOGIN, {"username": "head", "password": "kpi-demo"}).status_code == 429


def test_the_admin_login_is_throttled_too(client, users):
    for _ in range(5):
        client.post("/admin/login/", {"username": "hub", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "hub", "password": "kpi-demo"})
    assert response.status_code == 429


def test_the_hub_unlocks_an_account(client, users):
    _fail(Client(), times=5)
    client.force_login(users["hub"])
    page = client.get("/accounts/lockouts/")
    assert page.status_code == 200 and "officer" in page.content.decode()
    assert client.post("/accounts/lockouts/", {"username": "officer"}).status_code == 302
    assert "No sign-in is locked" in client.get("/accounts/lockouts/").content.decode()
    fresh = Client()
    assert fresh.post(LOGIN, {"username": "officer", "password": "kpi-demo"}).status_code == 302


@pytest.mark.parametrize("role", ["officer", "head", "director", "cmt", "councillor", "scrutiny", "auditor"])
def test_only_the_hub_sees_the_lockouts(client, users, role):
    client.force_login(users[role])
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/", {"username": "officer"}).status_code == 403


def test_anonymous_is_sent_to_sign_in_from_lockouts(client):
    response = client.get("/accounts/lockouts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- 12. Sessions end; signed-in pages are not cached; proxy headers only from the proxy -----


def test_sessions_end_at_browser_close(client, users, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    response = client.post(LOGIN, {"username": "officer", "password": "kpi-demo"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]


def test_idle_session_signs_out_after_the_idle_time(client, users, settings, monkeypatch):
    settings.KPI_SESSION_IDLE_MINUTES = 30
    client.force_login(users["officer"])
    assert client.get("/returns/").status_code == 200
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60)
    assert client.get("/returns/").status_code == 200  # active 29 minutes later: still signed in
    monkeypatch.setattr(time, "time", lambda: now + 29 * 60 + 31 * 60)
    response = client.get("/returns/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not client.get("/").context["user"].is_authenticated
    assert IdleSessionTimeoutMiddleware.KEY  # the key is documented on the middleware


@pytest.mark.parametrize(
    "url",
    ["/", "/returns/", "/scorecards/cmt/", "/exports/library.csv", "/scorecards/cmt/export.xlsx", "/public/"],
)
def test_signed_in_pages_and_exports_are_private_no_store(client, users, url):
    client.force_login(users["hub"])
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Cache-Control"] == "private, no-store"


def test_public_pages_for_anonymous_may_be_cached(client):
    assert "no-store" not in client.get("/public/").get("Cache-Control", "")


def test_x_forwarded_proto_is_ignored_unless_a_proxy_is_named(client, users, settings):
    assert settings.KPI_TRUSTED_PROXIES == [] and settings.SECURE_PROXY_SSL_HEADER is None
    from django.http import HttpRequest

    from kpi_machine.middleware import TrustedProxyHeadersMiddleware

    seen = {}

    def view(request):
        seen.update(request.META)
        return None

    request = HttpRequest()
    request.META = {
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_FOR": "1.2.3.4",
    }
    TrustedProxyHeadersMiddleware(view)(request)
    assert "HTTP_X_FORWARDED_PROTO" not in seen and "HTTP_X_FORWARDED_FOR" not in seen
    with override_settings(KPI_TRUSTED_PROXIES=["127.0.0.1"]):
        request.META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
        TrustedProxyHeadersMiddleware(view)(request)
    assert seen["HTTP_X_FORWARDED_PROTO"] == "https"


def test_an_over_long_username_is_a_message_not_a_failure_record(client, users):
    """Found by the fuzzer on PostgreSQL: the name reached django-axes' 255-character column (500)."""
    from axes.models import AccessAttempt

    for url in (LOGIN, "/admin/login/"):
        response = client.post(url, {"username": "\u00e9" * 2000, "password": "wrong"})
        assert response.status_code == 200
        assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
