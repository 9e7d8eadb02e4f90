"""Two-factor sign-in (issue 11, item 12): enrol on the account page, sign in with the code,
wrong codes count towards the lockout, required for the hub and the admin when a setting says so."""

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
ENROL = "/accounts/two-factor/"


def code(device, step=0) -> str:
    """The code the app shows now (step=1: the next one, since a code is accepted once only)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, drift=step):06d}"


@pytest.fixture
def enrolled(users):
    device = TOTPDevice.objects.create(user=users["head"], name="Authenticator app", confirmed=True)
    return device


def sign_in_password(client, username="head"):
    return client.post(LOGIN, {"username": username, "password": "kpi-demo", "next": "/returns/"})


def signed_in(client) -> bool:
    return client.get("/").context["user"].is_authenticated


def test_enrol_shows_a_qr_code_as_inline_svg_and_a_code_confirms_it(client, users):
    client.force_login(users["officer"])
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert re.search(r"Key: <code>[A-Z2-7 ]+</code>", html)
    device = TOTPDevice.objects.get(user=users["officer"])
    assert not device.confirmed
    client.get(ENROL)  # a reload keeps the device the user may already have scanned
    assert TOTPDevice.objects.filter(user=users["officer"]).count() == 1
    response = client.post(ENROL, {"code": code(device)})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    device.refresh_from_db()
    assert device.confirmed
    assert (
        'Two-factor sign-in</dt><dd class="govuk-summary-list__value">On'
        in client.get("/accounts/").content.decode()
    )


@pytest.mark.parametrize("wrong", ["000000", "12345", "abcdef", "", "1" * 40, "１２３４５６"])
def test_enrolment_with_a_wrong_code_is_refused_with_a_message(client, users, wrong):
    client.force_login(users["officer"])
    client.get(ENROL)
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert not TOTPDevice.objects.get(user=users["officer"]).confirmed


def test_sign_in_without_a_device_needs_no_code(client, users):
    response = sign_in_password(client, "officer")
    assert response.status_code == 302 and response["Location"] == "/returns/"
    assert signed_in(client)


def test_sign_in_with_a_device_asks_for_the_code_and_the_code_signs_in(client, enrolled):
    response = sign_in_password(client)
    assert response.status_code == 302 and response["Location"] == CODE
    assert not signed_in(client)  # the password alone does not sign in
    assert client.get("/returns/").status_code == 302
    assert "Enter your code" in client.get(CODE).content.decode()
    response = client.post(CODE, {"code": code(enrolled)})
    assert response.status_code == 302 and response["Location"] == "/returns/"
    assert signed_in(client)
    assert client.get("/returns/").status_code == 200


def test_the_code_step_without_the_password_step_goes_back_to_sign_in(client, enrolled):
    response = client.post(CODE, {"code": code(enrolled)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert not signed_in(client)


def test_a_wrong_code_is_refused_and_does_not_sign_in(client, enrolled):
    sign_in_password(client)
    response = client.post(CODE, {"code": "000000" if code(enrolled) != "000000" else "111111"})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not signed_in(client)


def test_a_code_is_accepted_once_only(client, enrolled):
    used = code(enrolled)
    sign_in_password(client)
    client.post(CODE, {"code": used})
    other = Client()
    sign_in_password(other)
    assert other.post(CODE, {"code": used}).status_code == 200  # replayed: refused
    assert not signed_in(other)


def test_wrong_codes_count_towards_the_sign_in_lockout(client, enrolled, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own back-off aside: the lockout is tested
    sign_in_password(client)
    for _ in range(4):
        assert client.post(CODE, {"code": "000000"}).status_code == 200
    locked = client.post(CODE, {"code": "000000"})
    assert locked.status_code == 429 and "Sign-in is locked for now" in locked.content.decode()
    # Locked: neither the right code nor the password signs in now, from any address.
    assert client.post(CODE, {"code": code(enrolled)}).status_code in (302, 429)
    assert not signed_in(client)
    assert (
        Client(REMOTE_ADDR="10.1.1.1").post(LOGIN, {"username": "head", "password": "kpi-demo"}).status_code
        == 429
    )


def test_turning_it_off_needs_a_current_code(client, enrolled, users, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    sign_in_password(client)
    client.post(CODE, {"code": code(enrolled)})
    refused = client.post("/accounts/two-factor/remove/", {"code": "000000"})
    assert refused.status_code == 200 and "The code is not right" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=users["head"]).exists()
    done = client.post("/accounts/two-factor/remove/", {"code": code(enrolled, step=1)})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=users["head"]).exists()
    fresh = Client()
    assert sign_in_password(fresh)["Location"] == "/returns/"  # no code asked any more


def test_anonymous_is_sent_to_sign_in_from_the_account_pages(client):
    for url in ("/accounts/", ENROL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.post("/accounts/two-factor/remove/", {"code": "1"}).status_code == 302


# --- required for the hub and the admin when the settings say so -------------------------------


def test_required_but_not_enrolled_redirects_to_enrolment(client, users, settings):
    settings.KPI_REQUIRE_2FA_FOR_HUB = True
    client.post(LOGIN, {"username": "hub", "password": "kpi-demo"})
    response = client.get("/targets/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Ftargets%2F"
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=users["hub"])
    enrolled = client.post(ENROL, {"code": code(device), "next": "/targets/"})
    assert enrolled["Location"] == "/targets/"
    assert client.get("/targets/").status_code == 200


def test_the_requirement_is_for_the_hub_only(client, users, settings):
    settings.KPI_REQUIRE_2FA_FOR_HUB = True
    client.force_login(users["officer"])
    assert client.get("/returns/").status_code == 200


def test_required_with_a_device_but_an_unverified_session_signs_in_again(client, users, settings):
    settings.KPI_REQUIRE_2FA_FOR_HUB = True
    TOTPDevice.objects.create(user=users["hub"], name="Authenticator app", confirmed=True)
    client.force_login(users["hub"])  # a session from before the setting, without the code
    response = client.get("/targets/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert not signed_in(client)


def test_where_required_it_cannot_be_turned_off(client, users, settings):
    settings.KPI_REQUIRE_2FA_FOR_HUB = True
    device = TOTPDevice.objects.create(user=users["hub"], name="Authenticator app", confirmed=True)
    client.post(LOGIN, {"username": "hub", "password": "kpi-demo"})
    client.post(CODE, {"code": code(device)})
    assert "cannot be turned off" in client.get("/accounts/").content.decode()
    client.post("/accounts/two-factor/remove/", {"code": code(device, step=1)})
    assert TOTPDevice.objects.filter(user=users["hub"]).exists()


@pytest.fixture
def staff_hub(users):
    hub = users["hub"]
    hub.is_staff = True
    hub.is_superuser = True
    hub.save()
    return hub


def test_the_admin_is_protected_when_the_setting_says_so(client, staff_hub, settings):
    settings.KPI_REQUIRE_2FA_FOR_ADMIN = True
    client.post("/admin/login/", {"username": "hub", "password": "kpi-demo", "next": "/admin/"})
    assert signed_in(client)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(ENROL)
    assert client.get("/targets/").status_code == 200  # only the admin needs it
    assert client.get(ENROL).status_code == 200
    device = TOTPDevice.objects.get(user=staff_hub)
    client.post(ENROL, {"code": code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_asks_for_the_code_too(client, staff_hub):
    device = TOTPDevice.objects.create(user=staff_hub, name="Authenticator app", confirmed=True)
    response = client.post("/admin/login/", {"username": "hub", "password": "kpi-demo", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == CODE
    assert client.get("/admin/").status_code == 302  # not signed in by the password alone
    assert client.post(CODE, {"code": code(device)})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_account_page_links_from_every_signed_in_page(client, users):
    client.force_login(users["councillor"])
    assert 'href="/accounts/"' in client.get("/").content.decode()
    assert client.get("/accounts/").status_code == 200
