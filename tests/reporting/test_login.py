import pytest


@pytest.mark.django_db
def test_wrong_password_gets_error_summary_not_500(client, users):
    response = client.post("/accounts/login/", {"username": "officer", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "enter a correct username and password" in body


@pytest.mark.django_db
def test_login_then_logout(client, users):
    response = client.post("/accounts/login/", {"username": "officer", "password": "kpi-demo"})
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "officer"
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


@pytest.mark.django_db
def test_open_redirect_is_refused(client, users):
    response = client.post(
        "/accounts/login/", {"username": "officer", "password": "kpi-demo", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_hostile_username_is_escaped(client):
    response = client.post("/accounts/login/", {"username": "<script>x</script>", "password": "p"})
    assert "<script>x</script>" not in response.content.decode()
