"""The return form shows the target, the tolerance, the previous period and the same period last
year, and the RAG the value would get as it is typed (htmx), or on "Check the RAG" without JS."""

import datetime
from decimal import Decimal

import pytest

from indicators.models import Result
from indicators.services.periods import ensure_periods

pytestmark = pytest.mark.django_db
URL = "/returns/STF90/2015-12/"


@pytest.fixture
def earlier(pdr):
    periods = ensure_periods([("month", datetime.date(2014, 12, 1)), ("month", datetime.date(2015, 11, 1))])
    Result.objects.create(
        indicator=pdr,
        period=periods[("month", datetime.date(2014, 12, 1))],
        value=Decimal(79),
        status="approved",
    )
    Result.objects.create(
        indicator=pdr,
        period=periods[("month", datetime.date(2015, 11, 1))],
        value=Decimal(83),
        status="approved",
    )


def test_the_form_shows_target_tolerance_previous_and_last_year(client, users, pdr, earlier):
    client.force_login(users["officer"])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    entry = response.context["entry"]
    assert entry.target == "85%"
    assert entry.tolerance.startswith("5% of the target")
    assert (entry.previous, entry.previous_label) == ("83%", "Nov 2015")
    assert (entry.last_year, entry.last_year_label) == ("79%", "Dec 2014")
    for text in (
        "Target",
        "85%",
        "Amber tolerance",
        "Previous period",
        "83%",
        "Same period last year",
        "79%",
    ):
        assert text in html, text


@pytest.mark.parametrize("value,word", [("70", "Red"), ("82", "Amber"), ("90", "Green")])
def test_the_rag_as_typed_comes_back_for_htmx(client, users, pdr, value, word):
    client.force_login(users["officer"])
    response = client.get(URL + "rag/", {"value": value}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f"{word}</strong>" in response.content.decode()


def test_check_the_rag_without_javascript_saves_nothing(client, users, pdr, periods):
    client.force_login(users["officer"])
    response = client.post(URL, {"action": "preview", "value": "70", "version": "0", "key": "k1"})
    assert response.status_code == 200
    assert "This value would be" in response.content.decode()
    assert response.context["entry"].rag == "red"
    assert not Result.objects.filter(indicator=pdr).exists()


def test_the_rag_preview_is_denied_to_others(client, users, pdr):
    assert client.get(URL + "rag/", {"value": "70"}).status_code == 302
    client.force_login(users["councillor"])
    assert client.get(URL + "rag/", {"value": "70"}).status_code == 403


def test_a_value_that_is_not_a_number_gives_no_rag_and_no_error(client, users, pdr):
    client.force_login(users["officer"])
    response = client.get(URL + "rag/", {"value": "lots"})
    assert response.status_code == 200
    assert "Type a value" in response.content.decode()
